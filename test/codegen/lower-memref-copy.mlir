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

// -----

// Between contiguous buffers of more than two dims, the copy runs over the
// outermost dim and the others joined (static or dynamic sizes); two dims
// keep the nest.
// CHECK-LABEL: func.func @contiguous_nest(
// CHECK-SAME:    %[[A:.*]]: memref<4x3x28xf32>, %[[B:.*]]: memref<4x3x28xf32>, %[[C:.*]]: memref<?x3x28xf32>, %[[D:.*]]: memref<?x3x28xf32>, %[[G:.*]]: memref<4x100xf32>, %[[H:.*]]: memref<4x100xf32>)
// CHECK-DAG:     %[[RA:.*]] = memref.collapse_shape %[[A]] {{\[\[}}0], [1, 2]] : memref<4x3x28xf32> into memref<4x84xf32>
// CHECK-DAG:     %[[RB:.*]] = memref.collapse_shape %[[B]] {{\[\[}}0], [1, 2]] : memref<4x3x28xf32> into memref<4x84xf32>
// CHECK:         linalg.copy ins(%[[RA]] : memref<4x84xf32>) outs(%[[RB]] : memref<4x84xf32>)
// CHECK-DAG:     %[[RC:.*]] = memref.collapse_shape %[[C]] {{\[\[}}0], [1, 2]] : memref<?x3x28xf32> into memref<?x84xf32>
// CHECK-DAG:     %[[RD:.*]] = memref.collapse_shape %[[D]] {{\[\[}}0], [1, 2]] : memref<?x3x28xf32> into memref<?x84xf32>
// CHECK:         linalg.copy ins(%[[RC]] : memref<?x84xf32>) outs(%[[RD]] : memref<?x84xf32>)
// CHECK:         linalg.copy ins(%[[G]] : memref<4x100xf32>) outs(%[[H]] : memref<4x100xf32>)
func.func @contiguous_nest(%a: memref<4x3x28xf32>, %b: memref<4x3x28xf32>, %c: memref<?x3x28xf32>, %d: memref<?x3x28xf32>, %g: memref<4x100xf32>, %h: memref<4x100xf32>) {
  memref.copy %a, %b : memref<4x3x28xf32> to memref<4x3x28xf32>
  memref.copy %c, %d : memref<?x3x28xf32> to memref<?x3x28xf32>
  memref.copy %g, %h : memref<4x100xf32> to memref<4x100xf32>
  return
}

// -----

// Short contiguous rows that are not adjacent (30-wide rows cut to 28, as a
// convolution's result) move one row per step, as one vector, in a
// parallel loop over the rows; rows of 64 or more, or strided ones, stay a
// linalg.copy.
// CHECK-LABEL: func.func @short_rows(
// CHECK-SAME:    %[[WIDE:.*]]: memref<?x16x28x30xf32>, %[[OUT:.*]]: memref<?x16x28x28xf32>
// CHECK:         %[[ROWS:.*]] = memref.subview %[[WIDE]]
// CHECK:         scf.parallel (%[[I:.*]], %[[J:.*]], %[[K:.*]]) = (%[[Z:.*]], %[[Z]], %[[Z]]) to (%{{.*}}, %c16, %c28) step
// CHECK:           %[[ROW:.*]] = vector.transfer_read %[[ROWS]][%[[I]], %[[J]], %[[K]], %[[Z]]], %{{.*}} {in_bounds = [true]} : memref<?x16x28x28xf32, strided<[13440, 840, 30, 1]>>, vector<28xf32>
// CHECK:           vector.transfer_write %[[ROW]], %[[OUT]][%[[I]], %[[J]], %[[K]], %[[Z]]] {in_bounds = [true]} : vector<28xf32>, memref<?x16x28x28xf32>
// CHECK:         linalg.copy ins(%{{.*}} : memref<4x64xf32, strided<[100, 1]>>)
// CHECK:         linalg.copy ins(%{{.*}} : memref<4x8xf32, strided<[16, 2]>>)
func.func @short_rows(%wide: memref<?x16x28x30xf32>, %out: memref<?x16x28x28xf32>, %long: memref<4x100xf32>, %to64: memref<4x64xf32>, %step2: memref<4x16xf32>, %to8: memref<4x8xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %wide, %c0 : memref<?x16x28x30xf32>
  %rows = memref.subview %wide[0, 0, 0, 0] [%n, 16, 28, 28] [1, 1, 1, 1] : memref<?x16x28x30xf32> to memref<?x16x28x28xf32, strided<[13440, 840, 30, 1]>>
  memref.copy %rows, %out : memref<?x16x28x28xf32, strided<[13440, 840, 30, 1]>> to memref<?x16x28x28xf32>
  %first64 = memref.subview %long[0, 0] [4, 64] [1, 1] : memref<4x100xf32> to memref<4x64xf32, strided<[100, 1]>>
  memref.copy %first64, %to64 : memref<4x64xf32, strided<[100, 1]>> to memref<4x64xf32>
  %evens = memref.subview %step2[0, 0] [4, 8] [1, 2] : memref<4x16xf32> to memref<4x8xf32, strided<[16, 2]>>
  memref.copy %evens, %to8 : memref<4x8xf32, strided<[16, 2]>> to memref<4x8xf32>
  return
}
