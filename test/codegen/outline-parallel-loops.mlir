// RUN: nnc-opt %s -split-input-file --nnc-outline-parallel-loops="min-work=0" | FileCheck %s
// RUN: nnc-opt %s -split-input-file --nnc-outline-parallel-loops | FileCheck %s --check-prefix=SMALL

// An outermost scf.parallel becomes a task (one iteration of its first dim;
// the other dims stay a loop inside) and a launch of trip-count tasks.
// Constants are cloned into the task; everything else is captured.

// CHECK-LABEL: func.func @scale(
// CHECK-SAME:      %[[A:[a-z0-9]+]]: memref<64x32xf32>, %[[B:[a-z0-9]+]]: memref<64x32xf32>)
// CHECK:         %[[EXTENT:.*]] = arith.subi %{{.*}}, %{{.*}} : index
// CHECK-NEXT:    %[[N:.*]] = arith.ceildivsi %[[EXTENT]], %{{.*}} : index
// CHECK-NEXT:    call @__nnc_launch_scale_task0(%[[N]], %[[A]], %[[B]]) : (index, memref<64x32xf32>, memref<64x32xf32>) -> ()
// CHECK-NOT:     scf.parallel
// CHECK:       func.func private @scale_task0(%[[I:.*]]: index, %[[TA:.*]]: memref<64x32xf32>, %[[TB:.*]]: memref<64x32xf32>) {
// CHECK:         %[[SCALED:.*]] = arith.muli %[[I]], %{{.*}} : index
// CHECK-NEXT:    %[[ROW:.*]] = arith.addi %{{.*}}, %[[SCALED]] : index
// CHECK-NEXT:    scf.parallel (%[[J:.*]]) = (%{{.*}}) to (%{{.*}}) step (%{{.*}}) {
// CHECK-NEXT:      memref.load %[[TA]][%[[ROW]], %[[J]]]
// CHECK-NEXT:      arith.mulf
// CHECK-NEXT:      memref.store %{{.*}}, %[[TB]][%[[ROW]], %[[J]]]
// CHECK:         return
// CHECK:       func.func private @__nnc_launch_scale_task0(index, memref<64x32xf32>, memref<64x32xf32>)
// 64x32 = 2048 iterations is below the default min-work (16384): sequential.
// SMALL-LABEL: func.func @scale
// SMALL:         scf.parallel
// SMALL-NOT:     __nnc_launch
func.func @scale(%a: memref<64x32xf32>, %b: memref<64x32xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %two = arith.constant 2.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c32) step (%c1, %c1) {
    %v = memref.load %a[%i, %j] : memref<64x32xf32>
    %m = arith.mulf %v, %two : f32
    memref.store %m, %b[%i, %j] : memref<64x32xf32>
    scf.reduce
  }
  return
}

// -----

// A 1-d loop with a dynamic bound (captured) and a reduction loop inside:
// the task body is the whole loop body. The dynamic trip count counts as
// enough work.
// CHECK-LABEL: func.func @row_sums(
// CHECK:         call @__nnc_launch_row_sums_task0(%{{.*}}, %arg0, %arg1) : (index, memref<?x128xf32>, memref<?xf32>) -> ()
// CHECK:       func.func private @row_sums_task0(%{{.*}}: index, %[[X:.*]]: memref<?x128xf32>, %[[Y:.*]]: memref<?xf32>) {
// CHECK:         scf.for
// CHECK-NOT:     scf.parallel
// SMALL-LABEL: func.func @row_sums(
// SMALL:         call @__nnc_launch_row_sums_task0
func.func @row_sums(%x: memref<?x128xf32>, %y: memref<?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c128 = arith.constant 128 : index
  %n = memref.dim %x, %c0 : memref<?x128xf32>
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%n) step (%c1) {
    %s = scf.for %j = %c0 to %c128 step %c1 iter_args(%acc = %zero) -> f32 {
      %v = memref.load %x[%i, %j] : memref<?x128xf32>
      %t = arith.addf %acc, %v : f32
      scf.yield %t : f32
    }
    memref.store %s, %y[%i] : memref<?xf32>
    scf.reduce
  }
  return
}

// -----

// Loops with reductions (init values) and inner loops are not outlined.
// CHECK-LABEL: func.func @reduction_loop
// CHECK:         scf.parallel
// CHECK-NOT:     __nnc_launch
func.func @reduction_loop(%x: memref<1024xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  %zero = arith.constant 0.0 : f32
  %r = scf.parallel (%i) = (%c0) to (%c1024) step (%c1) init (%zero) -> f32 {
    %v = memref.load %x[%i] : memref<1024xf32>
    scf.reduce(%v : f32) {
    ^bb0(%l: f32, %r: f32):
      %s = arith.addf %l, %r : f32
      scf.reduce.return %s : f32
    }
  }
  return %r : f32
}

// -----

// A vectorized step counts the vector registers its transfers read: 512 x
// 2 steps reading a 16x16 block (16 registers each) are 16384, the default
// min-work, so a task each; a loop reading one lane per step (128 in all)
// stays sequential.
// CHECK-LABEL: func.func @transpose_blocks(
// CHECK:         call @__nnc_launch_transpose_blocks_task0
// CHECK-LABEL: func.func @one_lane(
// CHECK:         call @__nnc_launch_one_lane_task0
// SMALL-LABEL: func.func @transpose_blocks(
// SMALL:         call @__nnc_launch_transpose_blocks_task0
// SMALL-NOT:     scf.parallel
// SMALL-LABEL: func.func @one_lane(
// SMALL:         scf.parallel
// SMALL-NOT:     __nnc_launch
func.func @transpose_blocks(%a: memref<8192x32xf32>, %b: memref<32x8192xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c16 = arith.constant 16 : index
  %c512 = arith.constant 512 : index
  %pad = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c512) step (%c1) {
    %row = arith.muli %i, %c16 : index
    scf.for %j = %c0 to %c2 step %c1 {
      %col = arith.muli %j, %c16 : index
      %v = vector.transfer_read %a[%row, %col], %pad {in_bounds = [true, true]} : memref<8192x32xf32>, vector<16x16xf32>
      %t = vector.transpose %v, [1, 0] : vector<16x16xf32> to vector<16x16xf32>
      vector.transfer_write %t, %b[%col, %row] {in_bounds = [true, true]} : vector<16x16xf32>, memref<32x8192xf32>
    }
    scf.reduce
  }
  return
}

func.func @one_lane(%a: memref<64x2xf32>, %b: memref<64x2xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c64 = arith.constant 64 : index
  %pad = arith.constant 0.0 : f32
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    scf.for %j = %c0 to %c2 step %c1 {
      %v = vector.transfer_read %a[%i, %j], %pad {in_bounds = [true]} : memref<64x2xf32>, vector<1xf32>
      vector.transfer_write %v, %b[%i, %j] {in_bounds = [true]} : vector<1xf32>, memref<64x2xf32>
    }
    scf.reduce
  }
  return
}
