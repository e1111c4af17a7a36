// RUN: nnc-opt %s -split-input-file --pass-pipeline="builtin.module(nnc-materialize-donated-results,nnc-outline-fusion-regions,nnc-inference,canonicalize,linalg-generalize-named-ops,linalg-fuse-elementwise-ops,eliminate-empty-tensors,empty-tensor-to-alloc-tensor,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},drop-equivalent-buffer-results,nnc-drop-donated-results,canonicalize)" | FileCheck %s

// Donation through the bufferization steps of nnc-cpu: an SGD update fused
// with its weight-gradient matmul. Nothing reads the old weight after the
// kernel, so the kernel subtracts straight into the weight's buffer: no
// copy, no output buffer, and the entry returns nothing.
// CHECK-LABEL: func.func @in_place(
// CHECK-SAME:      %{{.*}}: memref<8x4xf32>, %[[W:[a-z0-9]+]]: memref<4x3xf32> {nn.donated}, %{{.*}}: memref<8x3xf32>) {
// CHECK-NOT:     memref.copy
// CHECK:         call @in_place_fusion0(%{{.*}}, %{{.*}}, %[[W]])
// CHECK-NEXT:    return{{$}}
// CHECK:       func.func private @in_place_fusion0(%{{.*}}: memref<4x8xf32>, %{{.*}}: memref<8x3xf32>, %[[KW:[a-z0-9]+]]: memref<4x3xf32>)
// CHECK:         linalg.generic {{.*}} ins(%[[KW]], %{{.*}} : memref<4x3xf32>, memref<4x3xf32>) outs(%[[KW]] : memref<4x3xf32>)
// CHECK:           arith.subf
func.func @in_place(%x: tensor<8x4xf32>, %w: tensor<4x3xf32>, %dy: tensor<8x3xf32>)
    -> (tensor<4x3xf32> {nn.donated_argument = 1 : i64}) {
  %xt = nn.transpose %x, dim0 = 0, dim1 = 1 : tensor<8x4xf32>
  %c = nn.constant dense<0.1> : tensor<f32>
  %f = nn.fusion -> tensor<4x3xf32> {
    %dw = nn.matmul %xt, %dy : tensor<4x8xf32>, tensor<8x3xf32>
    %s = nn.mul %dw, %c : tensor<4x3xf32>, tensor<f32>
    %new = nn.sub %w, %s : tensor<4x3xf32>, tensor<4x3xf32>
    nn.yield %new : tensor<4x3xf32>
  }
  return %f : tensor<4x3xf32>
}

// -----

// A later kernel still reads the old value: the update goes into a copy,
// which is written back after that read.
// CHECK-LABEL: func.func @read_after(
// CHECK-SAME:      %[[W:[a-z0-9]+]]: memref<4xf32> {nn.donated}, %{{.*}}: memref<4xf32>) -> memref<4xf32> {
// CHECK:         %[[TMP:.*]] = memref.alloc()
// CHECK:         memref.copy %[[W]], %[[TMP]]
// CHECK:         call @read_after_fusion0(%[[TMP]], %{{.*}})
// CHECK:         %[[LATER:.*]] = call @read_after_fusion1(%[[W]])
// CHECK:         memref.copy %[[TMP]], %[[W]]
// CHECK:         return %[[LATER]] : memref<4xf32>
func.func @read_after(%w: tensor<4xf32>, %g: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<4xf32> {nn.donated_argument = 0 : i64}) {
  %f = nn.fusion -> tensor<4xf32> {
    %new = nn.sub %w, %g : tensor<4xf32>, tensor<4xf32>
    nn.yield %new : tensor<4xf32>
  }
  %later = nn.fusion -> tensor<4xf32> {
    %e = nn.exp %w : tensor<4xf32>
    nn.yield %e : tensor<4xf32>
  }
  return %later, %f : tensor<4xf32>, tensor<4xf32>
}
