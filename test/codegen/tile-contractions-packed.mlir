// RUN: nnc-opt %s --split-input-file --nnc-tile-contractions="pack-f32-min-size=64" --canonicalize | FileCheck %s
// RUN: nnc-opt %s --split-input-file --nnc-tile-contractions="pack-f32-min-size=4 vector-width=4 bf16-dot=true" --canonicalize | FileCheck %s --check-prefix=CONST

// f32 products with k and n of at least pack-f32-min-size (and rows of at
// least half of it) take B packed into contiguous panels of nr columns,
// [n / nr][k][nr], the machinery of the bf16 kernel with one k per lane: a
// parallel task per panel copies its rows, and the register tiles read a
// row of the panel per k (two zmm) and broadcast one element of A per row
// into an FMA with each.

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// CHECK-LABEL: func.func @packed_f32(
// CHECK:         %[[EMPTY:.*]] = tensor.empty() : tensor<2x64x32xf32>
// CHECK:         %[[PACKED:.*]] = scf.forall (%[[P:.*]]) in (2) shared_outs(%{{.*}} = %[[EMPTY]])
// CHECK:           scf.for %[[K:.*]] = %c0 to %c64 step %c1
// CHECK:             %[[ROW:.*]] = vector.transfer_read %{{.*}}[%[[K]], %{{.*}}]{{.*}} : tensor<64x64xf32>, vector<32xf32>
// CHECK:             vector.transfer_write %[[ROW]], %{{.*}}[%c0, %[[K]], %c0]{{.*}} : vector<32xf32>, tensor<1x64x32xf32>
// CHECK:         scf.forall (%{{.*}}) = (0) to (64) step (16)
// CHECK:           scf.for %{{.*}} = %c0 to %c16 step %c8
// CHECK:             scf.for %{{.*}} = %c0 to %c64 step %c32
// CHECK:               scf.for %[[KK:.*]] = %c0 to %c64 step %c1
// CHECK:                 %[[B0:.*]] = vector.transfer_read %[[PACKED]][%{{.*}}, %[[KK]], %c0]{{.*}} : tensor<2x64x32xf32>, vector<16xf32>
// CHECK:                 %[[B1:.*]] = vector.transfer_read %[[PACKED]][%{{.*}}, %[[KK]], %c16]{{.*}} : tensor<2x64x32xf32>, vector<16xf32>
// CHECK:                 %[[A0:.*]] = tensor.extract %{{.*}}[%{{.*}}, %[[KK]]] : tensor<64x64xf32>
// CHECK:                 %[[A0S:.*]] = vector.broadcast %[[A0]] : f32 to vector<16xf32>
// CHECK:                 vector.fma %[[A0S]], %[[B0]], %{{.*}} : vector<16xf32>
// CHECK:                 vector.fma %[[A0S]], %[[B1]], %{{.*}} : vector<16xf32>
// CHECK-COUNT-14:        vector.fma
// CHECK-NOT:             vector.fma
// CHECK:                 scf.yield
// CHECK-NOT:     vector.contract
// CHECK-NOT:     linalg.generic
func.func @packed_f32(%a: tensor<64x64xf32>, %b: tensor<64x64xf32>, %c: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<64x64xf32>, tensor<64x64xf32>) outs(%c : tensor<64x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  return %0 : tensor<64x64xf32>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// Too few rows to repay the packing (16 < 64 / 2), and an unknown batch:
// the register tiles of the plain kernel read B where it is.
// CHECK-LABEL: func.func @few_rows(
// CHECK-NOT:     tensor<2x64x32xf32>
// CHECK:         vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
func.func @few_rows(%a: tensor<16x64xf32>, %b: tensor<64x64xf32>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x64xf32>
  return %0 : tensor<16x64xf32>
}

// CHECK-LABEL: func.func @dynamic_rows(
// CHECK-NOT:     tensor<2x64x32xf32>
// CHECK:         vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
func.func @dynamic_rows(%a: tensor<?x64xf32>, %b: tensor<64x64xf32>, %c: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<?x64xf32>, tensor<64x64xf32>) outs(%c : tensor<?x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// A constant B (a frozen weight) is packed at compile time: panels of 8
// columns (vector-width=4) of its 4 x 16 values, no packing loop.
// CONST-LABEL: func.func @constant_f32(
// CONST-NOT:     scf.forall (%{{.*}}) in (2)
// CONST:         arith.constant dense<{{\[}}{{\[}}[0.000000e+00, 1.000000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 5.000000e+00, 6.000000e+00, 7.000000e+00], [1.600000e+01, {{.*}}, 2.300000e+01], [3.200000e+01, {{.*}}, 3.900000e+01], [4.800000e+01, {{.*}}, 5.500000e+01]], {{\[}}[8.000000e+00, {{.*}}, 1.500000e+01], [2.400000e+01, {{.*}}, 3.100000e+01], [4.000000e+01, {{.*}}, 4.700000e+01], [5.600000e+01, {{.*}}, 6.300000e+01]]]> : tensor<2x4x8xf32>
// CONST:         vector.fma
func.func @constant_f32(%a: tensor<8x4xf32>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %b = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0], [32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0], [48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0]]> : tensor<4x16xf32>
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<8x4xf32>, tensor<4x16xf32>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// A constant bf16 B is packed into k pairs at compile time: each 32-bit lane
// holds (B[2p][j], B[2p + 1][j]), and the odd fifth row is paired with 0.
// CONST-LABEL: func.func @constant_bf16(
// CONST-NOT:     scf.forall (%{{.*}}) in (2)
// CONST:         arith.constant dense<{{\[}}{{\[}}[0.000000e+00, 1.600000e+01, 1.000000e+00, 1.700000e+01, {{.*}}, 7.000000e+00, 2.300000e+01], [3.200000e+01, 4.800000e+01, {{.*}}], [6.400000e+01, 0.000000e+00, 6.500000e+01, 0.000000e+00, {{.*}}, 7.100000e+01, 0.000000e+00]], {{\[}}[8.000000e+00, 2.400000e+01, {{.*}}]]]> : tensor<2x3x16xbf16>
// CONST:         x86vector.avx512.dot
func.func @constant_bf16(%a: tensor<8x5xbf16>, %c: tensor<8x16xf32>) -> tensor<8x16xf32> {
  %b = arith.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0], [16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0, 30.0, 31.0], [32.0, 33.0, 34.0, 35.0, 36.0, 37.0, 38.0, 39.0, 40.0, 41.0, 42.0, 43.0, 44.0, 45.0, 46.0, 47.0], [48.0, 49.0, 50.0, 51.0, 52.0, 53.0, 54.0, 55.0, 56.0, 57.0, 58.0, 59.0, 60.0, 61.0, 62.0, 63.0], [64.0, 65.0, 66.0, 67.0, 68.0, 69.0, 70.0, 71.0, 72.0, 73.0, 74.0, 75.0, 76.0, 77.0, 78.0, 79.0]]> : tensor<5x16xbf16>
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<8x5xbf16>, tensor<5x16xbf16>) outs(%c : tensor<8x16xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x16xf32>
  return %0 : tensor<8x16xf32>
}
