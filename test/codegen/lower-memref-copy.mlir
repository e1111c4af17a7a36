// RUN: nnc-opt %s --split-input-file --nnc-lower-memref-copy | FileCheck %s

// A copy between contiguous buffers becomes linalg.copy.

// CHECK-LABEL: func.func @contiguous(
// CHECK-SAME:    %[[A:.*]]: memref<4xf32>, %[[B:.*]]: memref<4xf32>)
// CHECK-NEXT:    linalg.copy ins(%[[A]] : memref<4xf32>) outs(%[[B]] : memref<4xf32>)
// CHECK-NOT:     memref.copy
func.func @contiguous(%a: memref<4xf32>, %b: memref<4xf32>) {
  memref.copy %a, %b : memref<4xf32> to memref<4xf32>
  return
}

// -----

// So does a copy out of a strided view (which would otherwise need
// memrefCopy from libmlir_c_runner_utils), including inside loops.

// CHECK-LABEL: func.func @strided_in_loop(
// CHECK:         scf.for
// CHECK:           %[[VIEW:.*]] = memref.subview
// CHECK:           linalg.copy ins(%[[VIEW]] : memref<2xf32, strided<[4], offset: ?>>) outs(%{{.*}} : memref<2xf32>)
// CHECK-NOT:     memref.copy
func.func @strided_in_loop(%a: memref<2x4xf32>, %b: memref<2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  scf.for %i = %c0 to %c4 step %c1 {
    %col = memref.subview %a[0, %i] [2, 1] [1, 1]
        : memref<2x4xf32> to memref<2xf32, strided<[4], offset: ?>>
    memref.copy %col, %b : memref<2xf32, strided<[4], offset: ?>> to memref<2xf32>
  }
  return
}
