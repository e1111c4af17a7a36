// RUN: nnc-opt %s --pass-pipeline='builtin.module(nnc-cpu-codegen)' | FileCheck %s

// The whole CPU pipeline on a channels-last convolution as the NHWC
// lowering emits it (the SmallCNN's second convolution: wide rows of 16,
// 16 -> 32 channels, 3x3): a task per image whose register tiles of 8
// outputs by 32 channels are loaded once, then per tap one vector of 32
// weights and 8 broadcast input scalars feed 8 vector FMAs, and the tile is
// stored once after the 3 x 3 x 16 taps.
// CHECK-LABEL: llvm.func internal @nhwc_conv_task0(
// CHECK-COUNT-8: llvm.load {{.*}} -> vector<32xf32>
// CHECK:         llvm.load {{.*}} -> vector<32xf32>
// CHECK:         llvm.load {{.*}} -> f32
// CHECK:         llvm.shufflevector
// CHECK-COUNT-8: llvm.intr.fmuladd({{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32>
// CHECK-NOT:     llvm.intr.fmuladd
// CHECK-COUNT-8: llvm.store {{.*}} : vector<32xf32>, !llvm.ptr
// CHECK-LABEL: llvm.func internal @nhwc_conv_task0_entry(
#in = affine_map<(n, p, f, kh, kw, c) -> (n, p + kh * 16 + kw, c)>
#w = affine_map<(n, p, f, kh, kw, c) -> (kh, kw, c, f)>
#out = affine_map<(n, p, f, kh, kw, c) -> (n, p, f)>
func.func @nhwc_conv(%x: tensor<?x258x16xf32>, %w: tensor<3x3x16x32xf32>, %init: tensor<?x224x32xf32>) -> tensor<?x224x32xf32> {
  %0 = linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%x, %w : tensor<?x258x16xf32>, tensor<3x3x16x32xf32>) outs(%init : tensor<?x224x32xf32>) {
  ^bb0(%in: f32, %wt: f32, %out: f32):
    %m = arith.mulf %in, %wt : f32
    %s = arith.addf %out, %m : f32
    linalg.yield %s : f32
  } -> tensor<?x224x32xf32>
  return %0 : tensor<?x224x32xf32>
}
