// RUN: nnc-opt %s --split-input-file --nnc-tile-contractions --canonicalize | FileCheck %s

#mk = affine_map<(m, n, k) -> (m, k)>
#km = affine_map<(m, n, k) -> (k, m)>
#kn = affine_map<(m, n, k) -> (k, n)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>


// A 64x784 by 784x128 product (the MLP's first layer): four parallel tasks
// of 16 rows by all 128 columns, k in cache blocks of 196, 8x32 register
// tiles, and per k one vector.contract of a column of 8 elements of A and a
// row of 32 of B into the 8x32 accumulators.
// CHECK-LABEL: func.func @mlp_layer(
// CHECK:         scf.forall (%[[M:.*]]) = (0) to (64) step (16)
// CHECK:           scf.for %{{.*}} = %c0 to %c784 step %c196
// CHECK:             scf.for %{{.*}} = %c0 to %c16 step %c8
// CHECK:               scf.for %{{.*}} = %c0 to %c128 step %c32
// CHECK:                 scf.for %{{.*}} = %c0 to %c196 step %c1
// CHECK:                   vector.transfer_read {{.*}} : tensor<8x1xf32>, vector<8x1xf32>
// CHECK:                   vector.transfer_read {{.*}} : tensor<1x32xf32>, vector<1x32xf32>
// CHECK:                   vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK:         scf.forall.in_parallel
// CHECK-NOT:     linalg.generic
func.func @mlp_layer(%a: tensor<64x784xf32>, %b: tensor<784x128xf32>, %c: tensor<64x128xf32>) -> tensor<64x128xf32> {
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<64x784xf32>, tensor<784x128xf32>) outs(%c : tensor<64x128xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x128xf32>
  return %0 : tensor<64x128xf32>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#km = affine_map<(m, n, k) -> (k, m)>
#kn = affine_map<(m, n, k) -> (k, n)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>

// A stored as [k, m] (a weight gradient, x^T g) with bf16 operands summed
// in f32: the column of A is a row of the [k, m] slice, and the contraction
// extends the bf16 operands to the f32 accumulators.
// CHECK-LABEL: func.func @transposed_a_bf16(
// CHECK:         vector.contract {{.*}} : vector<1x8xbf16>, vector<1x32xbf16> into vector<8x32xf32>
// CHECK-NOT:     linalg.generic
func.func @transposed_a_bf16(%a: tensor<64x16xbf16>, %b: tensor<64x64xbf16>, %c: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %0 = linalg.generic {indexing_maps = [#km, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<64x16xbf16>, tensor<64x64xbf16>) outs(%c : tensor<16x64xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x64xf32>
  return %0 : tensor<16x64xf32>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#km = affine_map<(m, n, k) -> (k, m)>
#kn = affine_map<(m, n, k) -> (k, n)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>

// A dynamic batch of rows: tasks of 16 rows (the last may be short), full
// 8x32 register tiles over the rows a task has in multiples of 8, and the
// remaining rows (fewer than 8) peeled off as a plain contraction.
// CHECK-LABEL: func.func @dynamic_rows(
// CHECK:         scf.forall (%{{.*}}) = (0) to (%{{.*}}) step (16)
// CHECK:           %[[FULL:.*]] = affine.apply
// CHECK:           scf.for %{{.*}} = %c0 to %[[FULL]] step %c8
// CHECK:             vector.contract {{.*}} : vector<8x1xf32>, vector<1x32xf32> into vector<8x32xf32>
// CHECK:           scf.for %{{.*}} = %[[FULL]] to %{{.*}} step %c8
// CHECK:             linalg.contract {{.*}} tensor<?x1xf32>, tensor<1x32xf32>
func.func @dynamic_rows(%a: tensor<?x32xf32>, %b: tensor<32x64xf32>, %c: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<?x32xf32>, tensor<32x64xf32>) outs(%c : tensor<?x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#km = affine_map<(m, n, k) -> (k, m)>
#kn = affine_map<(m, n, k) -> (k, n)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>

// A narrow head (10 logits): one register tile spans it, a vector of 10.
// CHECK-LABEL: func.func @narrow_head(
// CHECK:         vector.contract {{.*}} : vector<8x1xf32>, vector<1x10xf32> into vector<8x10xf32>
func.func @narrow_head(%a: tensor<64x128xf32>, %b: tensor<128x10xf32>, %c: tensor<64x10xf32>) -> tensor<64x10xf32> {
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<64x128xf32>, tensor<128x10xf32>) outs(%c : tensor<64x10xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x10xf32>
  return %0 : tensor<64x10xf32>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#km = affine_map<(m, n, k) -> (k, m)>
#kn = affine_map<(m, n, k) -> (k, n)>
#nk = affine_map<(m, n, k) -> (n, k)>
#mn = affine_map<(m, n, k) -> (m, n)>

// Left to the plain loops: B read along k (its rows are not contiguous
// along n), a width of 36 (more than two vectors, and no multiple of half
// a vector divides it), a dynamic reduction, and a body that is not a
// multiply-add.
// CHECK-LABEL: func.func @untiled(
// CHECK-NOT:     scf.forall
// CHECK-NOT:     vector.contract
// CHECK-COUNT-4: linalg.generic
func.func @untiled(%a: tensor<64x32xf32>, %bt: tensor<64x32xf32>, %c: tensor<64x64xf32>,
                   %b36: tensor<32x36xf32>, %c36: tensor<64x36xf32>,
                   %ad: tensor<64x?xf32>, %b: tensor<32x64xf32>, %bd: tensor<?x64xf32>)
    -> (tensor<64x64xf32>, tensor<64x36xf32>, tensor<64x64xf32>, tensor<64x64xf32>) {
  %0 = linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %bt : tensor<64x32xf32>, tensor<64x32xf32>) outs(%c : tensor<64x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  %1 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b36 : tensor<64x32xf32>, tensor<32x36xf32>) outs(%c36 : tensor<64x36xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x36xf32>
  %2 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%ad, %bd : tensor<64x?xf32>, tensor<?x64xf32>) outs(%c : tensor<64x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x64xf32>
  %3 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<64x32xf32>, tensor<32x64xf32>) outs(%c : tensor<64x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %r = arith.maximumf %acc, %p : f32
    linalg.yield %r : f32
  } -> tensor<64x64xf32>
  return %0, %1, %2, %3 : tensor<64x64xf32>, tensor<64x36xf32>, tensor<64x64xf32>, tensor<64x64xf32>
}
