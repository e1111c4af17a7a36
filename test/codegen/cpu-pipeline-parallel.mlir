// RUN: nnc-opt %s --pass-pipeline='builtin.module(nnc-cpu)' | FileCheck %s

// With enough rows, the kernels' outermost parallel loops run on the
// runtime's thread pool: each becomes a task, an entry that unpacks the
// captured descriptors from a context struct, and one call of
// nnc_runtime_parallel_for per loop nest. The matmul with its bias and
// tanh epilogue is one kernel, the softmax (two reductions with their
// prologues and epilogues) another; the softmax is computed straight into
// the caller's output buffer, without a copy.

// CHECK-LABEL: llvm.func @classifier(
// CHECK:         llvm.call @classifier_fusion0(
// CHECK-NEXT:    llvm.call @classifier_fusion1(
// CHECK-NEXT:    llvm.call @_mlir_memref_to_llvm_free(
// CHECK-NEXT:    llvm.return

// CHECK-LABEL: llvm.func internal @classifier_fusion0(
// CHECK:         llvm.call @nnc_runtime_parallel_for(
// CHECK:       llvm.func internal @classifier_fusion0_task0_entry(%{{.*}}: !llvm.ptr, %{{.*}}: i64)
// CHECK-LABEL: llvm.func internal @classifier_fusion1(
// CHECK:         llvm.call @nnc_runtime_parallel_for(
// CHECK:       llvm.func internal @classifier_fusion1_task0_entry(%{{.*}}: !llvm.ptr, %{{.*}}: i64)
// CHECK:       llvm.func @nnc_runtime_parallel_for(i64, i64, !llvm.ptr, !llvm.ptr)
// CHECK-NOT:   __nnc_launch
func.func @classifier(%x: tensor<256x64xf32>, %w: tensor<64x128xf32>,
                      %b: tensor<128xf32>) -> tensor<256x128xf32> {
  %0 = nn.matmul %x, %w : tensor<256x64xf32>, tensor<64x128xf32>
  %1 = nn.add %0, %b : tensor<256x128xf32>, tensor<128xf32>
  %2 = nn.tanh %1 : tensor<256x128xf32>
  %3 = nn.softmax %2 dim = 1 : tensor<256x128xf32>
  return %3 : tensor<256x128xf32>
}
