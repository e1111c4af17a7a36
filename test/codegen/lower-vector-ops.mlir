// RUN: nnc-opt %s --nnc-lower-vector-ops | FileCheck %s

// An 8x32 register tile's k step: eight FMAs, each of one element of the
// column of A broadcast to 32 lanes times the same row of B, into one row
// of accumulators each. (The 2-D transfers are left to
// convert-vector-to-scf.)
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (k, n)>
#c = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func @k_step(
// CHECK:         %[[COLUMN:.*]] = vector.transfer_read %arg0{{.*}} vector<8x1xf32>
// CHECK:         %[[ROWS:.*]] = vector.transfer_read %arg1{{.*}} vector<1x32xf32>
// CHECK:         %[[ROW:.*]] = vector.extract %[[ROWS]][0] : vector<32xf32> from vector<1x32xf32>
// CHECK-COUNT-8: vector.fma %{{.*}}, %[[ROW]], %{{.*}} : vector<32xf32>
// CHECK-NOT:     vector.contract
// CHECK-NOT:     vector.fma
// CHECK:         vector.transfer_write
func.func @k_step(%a: memref<8x1xf32>, %b: memref<1x32xf32>, %acc: memref<8x32xf32>) {
  %c0 = arith.constant 0 : index
  %pad = arith.constant 0.0 : f32
  %col = vector.transfer_read %a[%c0, %c0], %pad {in_bounds = [true, true]} : memref<8x1xf32>, vector<8x1xf32>
  %row = vector.transfer_read %b[%c0, %c0], %pad {in_bounds = [true, true]} : memref<1x32xf32>, vector<1x32xf32>
  %init = vector.transfer_read %acc[%c0, %c0], %pad {in_bounds = [true, true]} : memref<8x32xf32>, vector<8x32xf32>
  %r = vector.contract {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %col, %row, %init : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
  vector.transfer_write %r, %acc[%c0, %c0] {in_bounds = [true, true]} : vector<8x32xf32>, memref<8x32xf32>
  return
}
