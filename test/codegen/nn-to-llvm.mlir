// RUN: nnc-opt %s --pass-pipeline='builtin.module(nnc-cpu)' | FileCheck %s

// A two-layer MLP in nn ops goes all the way to the LLVM dialect with
// nnc-cpu: nn-fuse forms two regions (each matmul with its epilogue), each
// becomes a kernel function called from @mlp. The bias add and the relu
// fuse into one loop nest (fadd then maximum, no buffer between them), and
// no kernel allocates. The hidden activation, the only buffer between the
// kernels, lives in the arena, allocated once and freed before returning;
// the logits are written into the caller's buffer. At 8 rows, no loop has
// enough work for the thread pool. The first matmul (8x16 by 16x32) is one
// 8x32 register tile (nnc-tile-contractions): per k, eight FMAs of a
// broadcast element of x and a 32-float row of w1; the second (n = 4) is
// one 8x4 tile, the same with rows of 4.

// CHECK-LABEL: llvm.func @mlp(
// CHECK-SAME:    attributes {llvm.emit_c_interface}
// CHECK:         %[[ARENA:.*]] = llvm.call @_mlir_memref_to_llvm_alloc(
// CHECK-NOT:     llvm.call @_mlir_memref_to_llvm_alloc(
// CHECK:         llvm.call @mlp_fusion0(
// CHECK-NEXT:    llvm.call @mlp_fusion1(%[[ARENA]],
// CHECK-NOT:     llvm.br
// CHECK-NEXT:    llvm.call @_mlir_memref_to_llvm_free(%[[ARENA]])
// CHECK-NEXT:    llvm.return

// Five inputs, then one output, each as a pointer to its descriptor.
// CHECK-LABEL: llvm.func @_mlir_ciface_mlp(
// CHECK-SAME:    %arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr, %arg3: !llvm.ptr, %arg4: !llvm.ptr, %arg5: !llvm.ptr)

// CHECK-LABEL: llvm.func internal @mlp_fusion0(
// CHECK-SAME:    nnc.kernel
// CHECK-NOT:     llvm.call
// CHECK-COUNT-8: llvm.intr.fmuladd({{.*}}) : (vector<32xf32>, vector<32xf32>, vector<32xf32>) -> vector<32xf32>
// CHECK-NOT:     llvm.intr.fmuladd
// CHECK:         %[[BIASED:.*]] = llvm.fadd
// CHECK-NEXT:    llvm.intr.maximum(%[[BIASED]], %{{.*}}) : (f32, f32) -> f32
// CHECK-NOT:     llvm.call
// CHECK-LABEL: llvm.func internal @mlp_fusion1(
// CHECK-NOT:     llvm.call
// CHECK-COUNT-8: llvm.intr.fmuladd({{.*}}) : (vector<4xf32>, vector<4xf32>, vector<4xf32>) -> vector<4xf32>
// CHECK:         llvm.fadd
// CHECK-NOT:     llvm.call
// CHECK-NOT:   nn.
// CHECK-NOT:   linalg.
// CHECK-NOT:   tensor<
func.func @mlp(%x: tensor<8x16xf32>, %w1: tensor<16x32xf32>,
               %b1: tensor<32xf32>, %w2: tensor<32x4xf32>,
               %b2: tensor<4xf32>) -> tensor<8x4xf32> {
  %0 = nn.matmul %x, %w1 : tensor<8x16xf32>, tensor<16x32xf32>
  %1 = nn.add %0, %b1 : tensor<8x32xf32>, tensor<32xf32>
  %2 = nn.relu %1 : tensor<8x32xf32>
  %3 = nn.matmul %2, %w2 : tensor<8x32xf32>, tensor<32x4xf32>
  %4 = nn.add %3, %b2 : tensor<8x4xf32>, tensor<4xf32>
  return %4 : tensor<8x4xf32>
}
