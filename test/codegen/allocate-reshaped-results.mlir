// RUN: nnc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(nnc-allocate-reshaped-results))' | FileCheck %s

// A result computed in one shape and returned reshaped (a convolution's
// wide rows [N, G, F, P] returned as [N, O, OH, OW]) is allocated in the
// returned shape, the computation writing a view of it: the result is
// then the allocation itself.
// CHECK-LABEL: func.func @wide_rows(
// CHECK:         %[[RESULT:.*]] = memref.alloc() {alignment = 64 : i64} : memref<2x4x3x5xf32>
// CHECK:         %[[ROWS:.*]] = memref.collapse_shape %[[RESULT]] {{\[}}[0], [1], [2, 3]] : memref<2x4x3x5xf32> into memref<2x4x15xf32>
// CHECK:         %[[WIDE:.*]] = memref.expand_shape %[[ROWS]] {{\[}}[0], [1, 2], [3]] output_shape [2, 1, 4, 15] : memref<2x4x15xf32> into memref<2x1x4x15xf32>
// CHECK:         linalg.fill ins(%{{.*}} : f32) outs(%[[WIDE]] : memref<2x1x4x15xf32>)
// CHECK-NOT:     memref.alloc
// CHECK:         return %[[RESULT]] : memref<2x4x3x5xf32>
func.func @wide_rows() -> memref<2x4x3x5xf32> {
  %zero = arith.constant 0.0 : f32
  %wide = memref.alloc() {alignment = 64 : i64} : memref<2x1x4x15xf32>
  linalg.fill ins(%zero : f32) outs(%wide : memref<2x1x4x15xf32>)
  %rows = memref.collapse_shape %wide [[0], [1, 2], [3]] : memref<2x1x4x15xf32> into memref<2x4x15xf32>
  %result = memref.expand_shape %rows [[0], [1], [2, 3]] output_shape [2, 4, 3, 5] : memref<2x4x15xf32> into memref<2x4x3x5xf32>
  return %result : memref<2x4x3x5xf32>
}

// -----

// A reshaped argument (not an allocation) is left as it is: the caller's
// buffer is already there, and returning a view of it is copied.
// CHECK-LABEL: func.func @argument(
// CHECK-NOT:     memref.alloc
// CHECK:         %[[VIEW:.*]] = memref.expand_shape %arg0
// CHECK:         return %[[VIEW]]
func.func @argument(%a: memref<2x6xf32>) -> memref<2x2x3xf32> {
  %r = memref.expand_shape %a [[0], [1, 2]] output_shape [2, 2, 3] : memref<2x6xf32> into memref<2x2x3xf32>
  return %r : memref<2x2x3xf32>
}

// -----

// A subview of an allocation (a convolution's rows narrowed to their
// valid columns) is not a reshape: left to the copy.
// CHECK-LABEL: func.func @narrowed(
// CHECK:         memref.alloc() : memref<2x8xf32>
// CHECK:         memref.subview
func.func @narrowed() -> memref<2x6xf32, strided<[8, 1]>> {
  %a = memref.alloc() : memref<2x8xf32>
  %r = memref.subview %a[0, 0] [2, 6] [1, 1] : memref<2x8xf32> to memref<2x6xf32, strided<[8, 1]>>
  return %r : memref<2x6xf32, strided<[8, 1]>>
}
