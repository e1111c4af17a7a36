// RUN: nnc-opt %s --split-input-file --pass-pipeline='builtin.module(nnc-cpu-codegen)' | FileCheck %s

// A dense layer on tensors becomes one LLVM function taking the three inputs
// and then the result as a caller-provided buffer (26 words of expanded
// descriptors), plus the C-interface wrapper the runtime calls: one
// descriptor pointer per memref, inputs first, then the output. tanh is a
// rational polynomial (fma chains and one division) that vectorizes, not a
// call per element.

// CHECK-LABEL: llvm.func @dense(
// CHECK-SAME:    %arg19: !llvm.ptr, %arg20: !llvm.ptr, %arg21: i64, %arg22: i64, %arg23: i64, %arg24: i64, %arg25: i64)
// CHECK-SAME:    attributes {llvm.emit_c_interface}
// CHECK-NOT:     llvm.call @_mlir_memref_to_llvm_alloc
// CHECK-NOT:     llvm.intr.tanh
// CHECK:         llvm.intr.fma
// CHECK:         llvm.fdiv
// CHECK-NOT:     llvm.intr.tanh
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_dense(
// CHECK-SAME:    %arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr, %arg3: !llvm.ptr)
// CHECK:         llvm.call @dense(
// CHECK-NOT:   {{memref<|tensor<|memref\.|tensor\.}}
#map = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @dense(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>,
                 %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<4x16xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<4x16xf32>)
      -> tensor<4x16xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<4x8xf32>, tensor<8x16xf32>)
                      outs(%acc : tensor<4x16xf32>) -> tensor<4x16xf32>
  %out = tensor.empty() : tensor<4x16xf32>
  %y = linalg.generic {indexing_maps = [#map, #row, #map],
                       iterator_types = ["parallel", "parallel"]}
      ins(%mm, %b : tensor<4x16xf32>, tensor<16xf32>)
      outs(%out : tensor<4x16xf32>) {
  ^bb0(%v: f32, %bias: f32, %o: f32):
    %s = arith.addf %v, %bias : f32
    %t = math.tanh %s : f32
    linalg.yield %t : f32
  } -> tensor<4x16xf32>
  return %y : tensor<4x16xf32>
}

// -----

// An internal temporary (the first product) is allocated and freed inside
// the call; the result is computed straight into the output buffer.

// CHECK-LABEL: llvm.func @temporary(
// CHECK:         %[[TEMP:.*]] = llvm.call @_mlir_memref_to_llvm_alloc(
// CHECK:         llvm.call @_mlir_memref_to_llvm_free(%[[TEMP]])
// CHECK-NEXT:    llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_temporary(
// CHECK-SAME:    %arg0: !llvm.ptr, %arg1: !llvm.ptr)
func.func @temporary(%x: tensor<4x4xf32>) -> tensor<4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %init = tensor.empty() : tensor<4x4xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%init : tensor<4x4xf32>)
      -> tensor<4x4xf32>
  %mm = linalg.matmul ins(%x, %x : tensor<4x4xf32>, tensor<4x4xf32>)
                      outs(%acc : tensor<4x4xf32>) -> tensor<4x4xf32>
  %init2 = tensor.empty() : tensor<4x4xf32>
  %acc2 = linalg.fill ins(%zero : f32) outs(%init2 : tensor<4x4xf32>)
      -> tensor<4x4xf32>
  %mm2 = linalg.matmul ins(%mm, %mm : tensor<4x4xf32>, tensor<4x4xf32>)
                       outs(%acc2 : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %mm2 : tensor<4x4xf32>
}

// -----

// Returning an argument, or a view of it, still writes the output buffers:
// the copies are loops (no call into libmlir_c_runner_utils' memrefCopy),
// and nothing is allocated.

// CHECK-LABEL: llvm.func @identity(
// CHECK-NOT:     llvm.call
// CHECK:         llvm.load
// CHECK:         llvm.store
// CHECK:         llvm.load
// CHECK:         llvm.store
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_identity(
// CHECK-SAME:    %arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr)
// CHECK-NOT:   memrefCopy
func.func @identity(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<6xf32>) {
  %r = tensor.collapse_shape %x [[0, 1]] : tensor<2x3xf32> into tensor<6xf32>
  return %x, %r : tensor<2x3xf32>, tensor<6xf32>
}

// -----

// A dynamic batch dim stays dynamic: the output's size comes from the
// caller's descriptor, and no allocation is needed.

// CHECK-LABEL: llvm.func @dynamic_batch(
// CHECK-NOT:     llvm.call @_mlir_memref_to_llvm_alloc
// CHECK:         llvm.return
// CHECK-LABEL: llvm.func @_mlir_ciface_dynamic_batch(
// CHECK-SAME:    %arg0: !llvm.ptr, %arg1: !llvm.ptr)
#id = affine_map<(d0, d1) -> (d0, d1)>
func.func @dynamic_batch(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %init = tensor.empty(%n) : tensor<?x4xf32>
  %y = linalg.generic {indexing_maps = [#id, #id],
                       iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<?x4xf32>) outs(%init : tensor<?x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %e = math.exp %a : f32
    linalg.yield %e : f32
  } -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
