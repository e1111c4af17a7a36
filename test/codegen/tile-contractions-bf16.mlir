// RUN: nnc-opt %s --split-input-file --nnc-tile-contractions=bf16-dot=true --canonicalize | FileCheck %s
// RUN: nnc-opt %s --split-input-file --nnc-tile-contractions --canonicalize | FileCheck %s --check-prefix=NODOT

#mk = affine_map<(m, n, k) -> (m, k)>
#km = affine_map<(m, n, k) -> (k, m)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// A 64x130 by 130x96 bf16 product summed in f32, for vdpbf16ps: B packed
// into panels of 32 columns of k pairs (one task per panel, each pair of
// rows interleaved), then tasks of 16 rows by all 96 columns (the forall's
// unit column dim folded away), 65 k pairs in one block, 8x32 register
// tiles of two zmm accumulators per row, and per k pair each row's pair of
// A broadcast to all 16 lanes and dotted with the panel's two vectors of
// pairs.
// CHECK-LABEL: func.func @dot(
// CHECK:         %[[EMPTY:.*]] = tensor.empty() : tensor<3x65x64xbf16>
// CHECK:         %[[PACKED:.*]] = scf.forall (%[[P:.*]]) in (3) shared_outs(%{{.*}} = %[[EMPTY]])
// CHECK:           scf.for %{{.*}} = %c0 to %c65 step %c1
// CHECK:             vector.transfer_read {{.*}} : tensor<130x96xbf16>, vector<32xbf16>
// CHECK:             vector.transfer_read {{.*}} : tensor<130x96xbf16>, vector<32xbf16>
// CHECK:             vector.interleave {{.*}} : vector<32xbf16> -> vector<64xbf16>
// CHECK:         scf.forall (%{{.*}}) = (0) to (64) step (16)
// CHECK:           scf.for %{{.*}} = %c0 to %c16 step %c8
// CHECK:             scf.for %{{.*}} = %c0 to %c96 step %c32
// CHECK-COUNT-16:      vector.transfer_read {{.*}} : tensor<16x96xf32>, vector<16xf32>
// CHECK:               scf.for %{{.*}} = %c0 to %c65 step %c1 iter_args(
// CHECK:                 vector.transfer_read %[[PACKED]]{{.*}} : tensor<3x65x64xbf16>, vector<32xbf16>
// CHECK:                 vector.transfer_read %[[PACKED]]{{.*}} : tensor<3x65x64xbf16>, vector<32xbf16>
// CHECK:                 vector.transfer_read {{.*}} {in_bounds = [true]} : tensor<64x130xbf16>, vector<2xbf16>
// CHECK:                 vector.bitcast {{.*}} : vector<2xbf16> to vector<1xi32>
// CHECK:                 vector.broadcast {{.*}} : i32 to vector<16xi32>
// CHECK:                 vector.bitcast {{.*}} : vector<16xi32> to vector<32xbf16>
// CHECK:                 x86vector.avx512.dot {{.*}} : vector<32xbf16> -> vector<16xf32>
// CHECK:                 x86vector.avx512.dot {{.*}} : vector<32xbf16> -> vector<16xf32>
// CHECK-COUNT-16:      vector.transfer_write {{.*}} : vector<16xf32>, tensor<16x96xf32>
// CHECK:         scf.forall.in_parallel
// CHECK-NOT:     linalg.generic
// Without bf16-dot, the f32 kernel widens each element.
// NODOT-LABEL: func.func @dot(
// NODOT-NOT:     x86vector
// NODOT:         vector.contract {{.*}} : vector<8x1xbf16>, vector<1x32xbf16> into vector<8x32xf32>
func.func @dot(%a: tensor<64x130xbf16>, %b: tensor<130x96xbf16>, %c: tensor<64x96xf32>) -> tensor<64x96xf32> {
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<64x130xbf16>, tensor<130x96xbf16>) outs(%c : tensor<64x96xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<64x96xf32>
  return %0 : tensor<64x96xf32>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// Odd k (37) and 48 columns: panels of 16 (one zmm of pairs), the 19th
// pair of B is row 36 and a zero row; after the 18 full pairs each tile
// takes the last k alone, its pair of A read with a zero past the row.
// CHECK-LABEL: func.func @odd_k(
// CHECK:         scf.forall (%{{.*}}) in (3)
// CHECK:           scf.for %{{.*}} = %c0 to %c18 step %c1
// CHECK:             vector.interleave
// CHECK:           %[[LAST:.*]] = vector.transfer_read %{{.*}}[%c36, %{{.*}}]{{.*}} : tensor<37x48xbf16>, vector<16xbf16>
// CHECK:           vector.interleave %[[LAST]], %cst{{.*}} : vector<16xbf16> -> vector<32xbf16>
// CHECK:         scf.forall
// CHECK:           scf.for %{{.*}} = %c0 to %c18 step %c1 iter_args(
// CHECK:             vector.transfer_read {{.*}} {in_bounds = [true]} : tensor<20x37xbf16>, vector<2xbf16>
// CHECK:             x86vector.avx512.dot {{.*}} : vector<32xbf16> -> vector<16xf32>
// CHECK:           vector.transfer_read %{{.*}}[%{{.*}}, %c36], %{{.*}} : tensor<20x37xbf16>, vector<2xbf16>
// CHECK:           x86vector.avx512.dot {{.*}} : vector<32xbf16> -> vector<16xf32>
func.func @odd_k(%a: tensor<20x37xbf16>, %b: tensor<37x48xbf16>, %c: tensor<20x48xf32>) -> tensor<20x48xf32> {
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<20x37xbf16>, tensor<37x48xbf16>) outs(%c : tensor<20x48xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<20x48xf32>
  return %0 : tensor<20x48xf32>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// 40 columns: panels of 8, one ymm vdpbf16ps per row.
// CHECK-LABEL: func.func @ymm_panels(
// CHECK:         x86vector.avx512.dot {{.*}} : vector<16xbf16> -> vector<8xf32>
func.func @ymm_panels(%a: tensor<16x10xbf16>, %b: tensor<10x40xbf16>, %c: tensor<16x40xf32>) -> tensor<16x40xf32> {
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<16x10xbf16>, tensor<10x40xbf16>) outs(%c : tensor<16x40xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x40xf32>
  return %0 : tensor<16x40xf32>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n) -> (m, n)>
#mnk = affine_map<(m, n, k) -> (m, n)>

// nn.matmul of bf16 tensors: a zero fill, the product in f32, and its
// rounding to bf16. k in one block: the only pass starts from zeroed
// registers and writes the rounded sums; neither the fill nor an f32 tile
// is left.
// CHECK-LABEL: func.func @rounded(
// CHECK-NOT:     linalg.generic
// CHECK:         %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<16xf32>
// CHECK:         %[[OUT:.*]] = tensor.empty() : tensor<16x64xbf16>
// CHECK:         scf.forall (%{{.*}}) = (0) to (16) step (8) shared_outs(%{{.*}} = %[[OUT]])
// CHECK-NOT:       vector.transfer_read {{.*}}xf32>
// CHECK:           scf.for %{{.*}} = %c0 to %c32 step %c1 iter_args(%{{.*}} = %[[ZERO]],
// CHECK:           arith.truncf {{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK:           vector.transfer_write {{.*}} : vector<16xbf16>, tensor<8x64xbf16>
// CHECK-NOT:     linalg.generic
func.func @rounded(%a: tensor<16x64xbf16>, %b: tensor<64x64xbf16>) -> tensor<16x64xbf16> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<16x64xf32>
  %fill = linalg.generic {indexing_maps = [#mn], iterator_types = ["parallel", "parallel"]} outs(%empty : tensor<16x64xf32>) {
  ^bb0(%out: f32):
    linalg.yield %zero : f32
  } -> tensor<16x64xf32>
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mnk], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<16x64xbf16>, tensor<64x64xbf16>) outs(%fill : tensor<16x64xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x64xf32>
  %rounded_empty = tensor.empty() : tensor<16x64xbf16>
  %1 = linalg.generic {indexing_maps = [#mn, #mn], iterator_types = ["parallel", "parallel"]} ins(%0 : tensor<16x64xf32>) outs(%rounded_empty : tensor<16x64xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<16x64xbf16>
  return %1 : tensor<16x64xbf16>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// A dynamic batch of rows: tasks of 16 rows (the last one may be short),
// full 8-row register tiles, then the rows left one at a time.
// CHECK-LABEL: func.func @dynamic_rows(
// CHECK:         %[[M:.*]] = tensor.dim %{{.*}}, %c0 : tensor<?x32xbf16>
// CHECK:         scf.forall (%[[ROW:.*]]) = (0) to (%[[M]]) step (16)
// CHECK:           %[[ROWS:.*]] = affine.min #{{.*}}()[%[[ROW]], %[[M]]]
// CHECK:           %[[PARTIAL:.*]] = arith.remui %[[ROWS]], %c8
// CHECK:           %[[FULL:.*]] = arith.subi %[[ROWS]], %[[PARTIAL]]
// CHECK:           scf.for %{{.*}} = %c0 to %[[FULL]] step %c8
// CHECK-COUNT-16:      x86vector.avx512.dot
// CHECK:           scf.for %{{.*}} = %[[FULL]] to %[[ROWS]] step %c1
// CHECK-COUNT-2:       x86vector.avx512.dot
func.func @dynamic_rows(%a: tensor<?x32xbf16>, %b: tensor<32x64xbf16>, %c: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%a, %b : tensor<?x32xbf16>, tensor<32x64xbf16>) outs(%c : tensor<?x64xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// -----

#mk = affine_map<(m, n, k) -> (m, k)>
#km = affine_map<(m, n, k) -> (k, m)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>

// Not (yet) for vdpbf16ps, left to the f32 kernel: A stored [k, m] (its
// pairs are not contiguous); and f32 operands.
// CHECK-LABEL: func.func @f32_kernel(
// CHECK-NOT:     x86vector
// CHECK:         return
func.func @f32_kernel(%at: tensor<64x16xbf16>, %b: tensor<64x64xbf16>, %c: tensor<16x64xf32>,
                      %af: tensor<16x64xf32>, %bf: tensor<64x64xf32>) -> (tensor<16x64xf32>, tensor<16x64xf32>) {
  %0 = linalg.generic {indexing_maps = [#km, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%at, %b : tensor<64x16xbf16>, tensor<64x64xbf16>) outs(%c : tensor<16x64xf32>) {
  ^bb0(%x: bf16, %y: bf16, %acc: f32):
    %xe = arith.extf %x : bf16 to f32
    %ye = arith.extf %y : bf16 to f32
    %p = arith.mulf %xe, %ye : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x64xf32>
  %1 = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%af, %bf : tensor<16x64xf32>, tensor<64x64xf32>) outs(%c : tensor<16x64xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  } -> tensor<16x64xf32>
  return %0, %1 : tensor<16x64xf32>, tensor<16x64xf32>
}
