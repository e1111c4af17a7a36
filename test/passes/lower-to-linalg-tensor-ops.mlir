// RUN: nnc-opt %s -nn-lower-to-linalg -split-input-file | FileCheck %s

// Lowering of the dtype, comparison, indexing and extra reduction ops
// (ir/NNTensorOps.td), and the dtype rules of the lowering: arith float or
// integer ops by element type, f16/bf16 computed in f32.

// to(dtype) narrowing a float: truncf per element.
// CHECK-LABEL: func.func @convert_f32_to_f16
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f16):
// CHECK: %[[R:.*]] = arith.truncf %[[X]] : f32 to f16
// CHECK: linalg.yield %[[R]] : f16
func.func @convert_f32_to_f16(%x: tensor<?x3xf32>) -> tensor<?x3xf16> {
  %0 = nn.convert %x : tensor<?x3xf32> -> tensor<?x3xf16>
  return %0 : tensor<?x3xf16>
}

// -----

// To bool: nonzero, NaN included (unordered compare).
// CHECK-LABEL: func.func @convert_to_bool
// CHECK: %[[R:.*]] = arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK: linalg.yield %[[R]] : i1
func.func @convert_to_bool(%x: tensor<4xf32>) -> tensor<4xi1> {
  %0 = nn.convert %x : tensor<4xf32> -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// A u8 element is reinterpreted as signless i8 for arith (a cast that
// vanishes in LLVM's signless types) and converted unsigned; to u8 and back.
// CHECK-LABEL: func.func @convert_uint8
// CHECK: ^bb0(%[[U:.*]]: ui8, %{{.*}}: f32):
// CHECK: %[[I8:.*]] = builtin.unrealized_conversion_cast %[[U]] : ui8 to i8
// CHECK: arith.uitofp %[[I8]] : i8 to f32
// CHECK: ^bb0(%[[F:.*]]: f32, %{{.*}}: ui8):
// CHECK: %[[B:.*]] = arith.fptoui %[[F]] : f32 to i8
// CHECK: %[[R:.*]] = builtin.unrealized_conversion_cast %[[B]] : i8 to ui8
// CHECK: linalg.yield %[[R]] : ui8
func.func @convert_uint8(%x: tensor<4xui8>) -> (tensor<4xf32>, tensor<4xui8>) {
  %0 = nn.convert %x : tensor<4xui8> -> tensor<4xf32>
  %1 = nn.convert %0 : tensor<4xf32> -> tensor<4xui8>
  return %0, %1 : tensor<4xf32>, tensor<4xui8>
}

// -----

// Float to integer truncates toward zero; bool to integer is unsigned.
// CHECK-LABEL: func.func @convert_to_integers
// CHECK: arith.fptosi %{{.*}} : f64 to i32
// CHECK: arith.extui %{{.*}} : i1 to i64
func.func @convert_to_integers(%x: tensor<4xf64>, %m: tensor<4xi1>) -> (tensor<4xi32>, tensor<4xi64>) {
  %0 = nn.convert %x : tensor<4xf64> -> tensor<4xi32>
  %1 = nn.convert %m : tensor<4xi1> -> tensor<4xi64>
  return %0, %1 : tensor<4xi32>, tensor<4xi64>
}

// -----

// Integer arithmetic and reductions use arith's integer ops.
// CHECK-LABEL: func.func @integer_arithmetic
// CHECK: arith.addi %{{.*}}, %{{.*}} : i64
// CHECK: arith.muli %{{.*}}, %{{.*}} : i64
// CHECK: linalg.reduce ins
// CHECK: arith.addi %{{.*}}, %{{.*}} :
// CHECK: %[[MIN:.*]] = arith.constant -9223372036854775808 : i64
// CHECK: linalg.fill ins(%[[MIN]] : i64)
// CHECK: linalg.reduce ins
// CHECK: arith.maxsi %{{.*}}, %{{.*}} :
func.func @integer_arithmetic(%a: tensor<4x3xi64>, %b: tensor<3xi64>) -> (tensor<4x3xi64>, tensor<3xi64>, tensor<4xi64>) {
  %0 = nn.add %a, %b : tensor<4x3xi64>, tensor<3xi64>
  %1 = nn.mul %0, %b : tensor<4x3xi64>, tensor<3xi64>
  %2 = nn.sum %1 dims = [0] : tensor<4x3xi64>
  %3 = nn.max %1 dims = [1] : tensor<4x3xi64>
  return %1, %2, %3 : tensor<4x3xi64>, tensor<3xi64>, tensor<4xi64>
}

// -----

// bf16 arithmetic: extend, compute in f32, round once.
// CHECK-LABEL: func.func @bf16_mul
// CHECK: ^bb0(%[[A:.*]]: bf16, %[[B:.*]]: bf16, %{{.*}}: bf16):
// CHECK: %[[A32:.*]] = arith.extf %[[A]] : bf16 to f32
// CHECK: %[[B32:.*]] = arith.extf %[[B]] : bf16 to f32
// CHECK: %[[P:.*]] = arith.mulf %[[A32]], %[[B32]] : f32
// CHECK: %[[R:.*]] = arith.truncf %[[P]] : f32 to bf16
// CHECK: linalg.yield %[[R]] : bf16
func.func @bf16_mul(%a: tensor<8xbf16>, %b: tensor<8xbf16>) -> tensor<8xbf16> {
  %0 = nn.mul %a, %b : tensor<8xbf16>, tensor<8xbf16>
  return %0 : tensor<8xbf16>
}

// -----

// Comparisons: ordered float predicates except ne; signed integers; an i1
// result in the broadcast shape. where is a select.
// CHECK-LABEL: func.func @compare_and_where
// CHECK: arith.cmpf olt, %{{.*}}, %{{.*}} : f32
// CHECK: linalg.yield %{{.*}} : i1
// CHECK: arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK: arith.cmpi sge, %{{.*}}, %{{.*}} : i32
// CHECK: ^bb0(%[[C:.*]]: i1, %[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[S:.*]] = arith.select %[[C]], %[[X]], %[[Y]] : f32
// CHECK: linalg.yield %[[S]] : f32
func.func @compare_and_where(%a: tensor<4x3xf32>, %b: tensor<3xf32>, %i: tensor<4xi32>, %j: tensor<4xi32>)
    -> (tensor<4x3xi1>, tensor<4x3xi1>, tensor<4xi1>, tensor<4x3xf32>) {
  %0 = nn.lt %a, %b : tensor<4x3xf32>, tensor<3xf32>
  %1 = nn.ne %a, %b : tensor<4x3xf32>, tensor<3xf32>
  %2 = nn.ge %i, %j : tensor<4xi32>, tensor<4xi32>
  %3 = nn.where %0, %a, %b : tensor<4x3xi1>, tensor<4x3xf32>, tensor<3xf32>
  return %0, %1, %2, %3 : tensor<4x3xi1>, tensor<4x3xi1>, tensor<4xi1>, tensor<4x3xf32>
}

// -----

// clamp: maximumf then minimumf (NaN propagates; min > max gives max);
// integers use maxsi/minsi.
// CHECK-LABEL: func.func @clamp
// CHECK: %[[LO:.*]] = arith.constant -1.000000e+00 : f32
// CHECK: %[[M:.*]] = arith.maximumf %{{.*}}, %[[LO]] : f32
// CHECK: %[[HI:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: arith.minimumf %[[M]], %[[HI]] : f32
// CHECK: %[[IHI:.*]] = arith.constant 5 : i64
// CHECK: arith.minsi %{{.*}}, %[[IHI]] : i64
func.func @clamp(%x: tensor<?x3xf32>, %i: tensor<4xi64>) -> (tensor<?x3xf32>, tensor<4xi64>) {
  %0 = nn.clamp %x min = -1.0 max = 1.0 : tensor<?x3xf32>
  %1 = nn.clamp %i max = 5.0 : tensor<4xi64>
  return %0, %1 : tensor<?x3xf32>, tensor<4xi64>
}

// -----

// abs and sign; pow with a tensor exponent is math.powf.
// CHECK-LABEL: func.func @abs_sign_pow
// CHECK: math.absf %{{.*}} : f32
// CHECK: math.absi %{{.*}} : i32
// CHECK: arith.cmpf olt
// CHECK: arith.select
// CHECK: arith.cmpf ogt
// CHECK: arith.select
// CHECK: math.powf %{{.*}}, %{{.*}} : f32
func.func @abs_sign_pow(%x: tensor<4xf32>, %i: tensor<4xi32>, %e: tensor<f32>)
    -> (tensor<4xf32>, tensor<4xi32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = nn.abs %x : tensor<4xf32>
  %1 = nn.abs %i : tensor<4xi32>
  %2 = nn.sign %x : tensor<4xf32>
  %3 = nn.pow_tensor %x, %e : tensor<4xf32>, tensor<f32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xi32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// slice: a strided tensor.extract_slice; its VJP inserts into zeros.
// CHECK-LABEL: func.func @slice_and_grad
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>, %[[G:.*]]: tensor<?x2xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x8xf32>
// CHECK: tensor.extract_slice %[[X]][0, 1] [%[[N]], 2] [1, 2] : tensor<?x8xf32> to tensor<?x2xf32>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[FILL:.*]] = linalg.fill ins(%[[ZERO]] : f32)
// CHECK: tensor.insert_slice %[[G]] into %[[FILL]][0, 1] [%{{.*}}, 2] [1, 2] : tensor<?x2xf32> into tensor<?x8xf32>
func.func @slice_and_grad(%x: tensor<?x8xf32>, %g: tensor<?x2xf32>) -> (tensor<?x2xf32>, tensor<?x8xf32>) {
  %0 = nn.slice %x dim = 1 start = 1 end = 5 step = 2 : tensor<?x8xf32>
  %1 = nn.slice_grad %g like %x dim = 1 start = 1 end = 5 step = 2 : tensor<?x2xf32>, tensor<?x8xf32>
  return %0, %1 : tensor<?x2xf32>, tensor<?x8xf32>
}

// -----

// concat: each operand inserted at its offset along the dim.
// CHECK-LABEL: func.func @concat
// CHECK-SAME: (%[[A:.*]]: tensor<?x2xf32>, %[[B:.*]]: tensor<?x3xf32>)
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x5xf32>
// CHECK: %[[I0:.*]] = tensor.insert_slice %[[A]] into %[[E]][0, 0] [%{{.*}}, 2] [1, 1]
// CHECK: tensor.insert_slice %[[B]] into %[[I0]][0, 2] [%{{.*}}, 3] [1, 1]
func.func @concat(%a: tensor<?x2xf32>, %b: tensor<?x3xf32>) -> tensor<?x5xf32> {
  %0 = nn.concat %a, %b dim = 1 : tensor<?x2xf32>, tensor<?x3xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// permute: linalg.transpose with the dims as its permutation.
// CHECK-LABEL: func.func @permute
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
func.func @permute(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = nn.permute %x dims = [2, 0, 1] : tensor<2x3x4xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// index_select: a generic over the result reads the index along the dim and
// the input with tensor.extract at the (clamped) position.
// CHECK-DAG: #[[IDX:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @index_select
// CHECK-SAME: (%[[T:.*]]: tensor<100x16xf32>, %[[I:.*]]: tensor<?xi64>)
// CHECK: linalg.generic {indexing_maps = [#[[IDX]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[I]] : tensor<?xi64>)
// CHECK: ^bb0(%[[K:.*]]: i64, %{{.*}}: f32):
// CHECK: %[[P:.*]] = arith.index_cast %[[K]] : i64 to index
// CHECK: %[[LOW:.*]] = arith.minsi %[[P]], %{{.*}} : index
// CHECK: %[[ROW:.*]] = arith.maxsi %{{.*}}, %[[LOW]] : index
// CHECK: %[[COL:.*]] = linalg.index 1 : index
// CHECK: tensor.extract %[[T]][%[[ROW]], %[[COL]]] : tensor<100x16xf32>
func.func @index_select(%table: tensor<100x16xf32>, %ids: tensor<?xi64>) -> tensor<?x16xf32> {
  %0 = nn.index_select %table, %ids dim = 0 : tensor<100x16xf32>, tensor<?xi64>
  return %0 : tensor<?x16xf32>
}

// -----

// gather: the same read, over the index's shape.
// CHECK-LABEL: func.func @gather
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<4x1xi32>) outs(%{{.*}} : tensor<4x1xf32>)
// CHECK: %[[ROW:.*]] = linalg.index 0 : index
// CHECK: tensor.extract %{{.*}}[%[[ROW]], %{{.*}}] : tensor<4x10xf32>
func.func @gather(%x: tensor<4x10xf32>, %idx: tensor<4x1xi32>) -> tensor<4x1xf32> {
  %0 = nn.gather %x, %idx dim = 1 : tensor<4x10xf32>, tensor<4x1xi32>
  return %0 : tensor<4x1xf32>
}

// -----

// scatter_add: a loop nest over src carrying the result (initially the
// input); an index outside [0, size) leaves the result as it is.
// CHECK-LABEL: func.func @scatter_add
// CHECK-SAME: (%[[X:.*]]: tensor<4x10xf32>, %[[I:.*]]: tensor<4x2xi64>, %[[S:.*]]: tensor<4x2xf32>)
// CHECK: %[[SIZE:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<4x10xf32>
// CHECK: scf.for %[[R:.*]] = {{.*}} iter_args(%[[OUTER:.*]] = %[[X]])
// CHECK: scf.for %[[C:.*]] = {{.*}} iter_args(%[[ACC:.*]] = %[[OUTER]])
// CHECK: %[[K:.*]] = tensor.extract %[[I]][%[[R]], %[[C]]] : tensor<4x2xi64>
// CHECK: %[[P:.*]] = arith.index_cast %[[K]] : i64 to index
// CHECK: %[[GE:.*]] = arith.cmpi sge, %[[P]], %{{.*}} : index
// CHECK: %[[LT:.*]] = arith.cmpi slt, %[[P]], %[[SIZE]] : index
// CHECK: %[[OK:.*]] = arith.andi %[[GE]], %[[LT]] : i1
// CHECK: %[[COL:.*]] = arith.select %[[OK]], %[[P]], %{{.*}} : index
// CHECK: %[[OLD:.*]] = tensor.extract %[[ACC]][%[[R]], %[[COL]]] : tensor<4x10xf32>
// CHECK: %[[V:.*]] = tensor.extract %[[S]][%[[R]], %[[C]]] : tensor<4x2xf32>
// CHECK: %[[SUM:.*]] = arith.addf %[[V]], %[[OLD]] : f32
// CHECK: %[[NEW:.*]] = arith.select %[[OK]], %[[SUM]], %[[OLD]] : f32
// CHECK: %[[INS:.*]] = tensor.insert %[[NEW]] into %[[ACC]][%[[R]], %[[COL]]] : tensor<4x10xf32>
// CHECK: scf.yield %[[INS]]
func.func @scatter_add(%x: tensor<4x10xf32>, %idx: tensor<4x2xi64>, %src: tensor<4x2xf32>) -> tensor<4x10xf32> {
  %0 = nn.scatter_add %x, %idx, %src dim = 1 : tensor<4x10xf32>, tensor<4x2xi64>, tensor<4x2xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// argmax: value and position carried together; a strictly greater element
// or the first NaN replaces them.
// CHECK-LABEL: func.func @argmax
// CHECK: %[[R:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}} : tensor<?x10xf32>) outs(%{{.*}}, %{{.*}} : tensor<?xf32>, tensor<?xi64>)
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf uno
// CHECK: linalg.index 1 : index
// CHECK: tensor.expand_shape %[[R]]#1 {{\[\[}}0, 1]] output_shape [%{{.*}}, 1] : tensor<?xi64> into tensor<?x1xi64>
func.func @argmax(%x: tensor<?x10xf32>) -> tensor<?x1xi64> {
  %0 = nn.argmax %x dim = 1 keepdim : tensor<?x10xf32>
  return %0 : tensor<?x1xi64>
}

// -----

// min, prod, any, all: linalg.reduce with their combiner and identity.
// CHECK-LABEL: func.func @reductions
// CHECK: arith.constant 0x7F800000 : f32
// CHECK: linalg.reduce ins
// CHECK: arith.minimumf %{{.*}}, %{{.*}} :
// CHECK: arith.constant 1.000000e+00 : f32
// CHECK: linalg.reduce ins
// CHECK: arith.mulf %{{.*}}, %{{.*}} :
// CHECK: %[[FALSE:.*]] = arith.constant false
// CHECK: linalg.fill ins(%[[FALSE]] : i1)
// CHECK: arith.ori
// CHECK: %[[TRUE:.*]] = arith.constant true
// CHECK: linalg.fill ins(%[[TRUE]] : i1)
// CHECK: arith.cmpf une
// CHECK: arith.andi
func.func @reductions(%x: tensor<4x3xf32>, %m: tensor<4x3xi1>) -> (tensor<4xf32>, tensor<3xf32>, tensor<i1>, tensor<4xi1>) {
  %0 = nn.min %x dims = [1] : tensor<4x3xf32>
  %1 = nn.prod %x dims = [0] : tensor<4x3xf32>
  %2 = nn.any %m dims = [0, 1] : tensor<4x3xi1>
  %3 = nn.all %x dims = [1] : tensor<4x3xf32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<3xf32>, tensor<i1>, tensor<4xi1>
}

// -----

// var and logsumexp lower through simpler nn ops: a mean, squared
// deviations summed and divided by N - correction; the max, shifted exps
// summed, log, plus the max (0 where the max is infinite).
// CHECK-LABEL: func.func @var
// CHECK: linalg.reduce ins
// CHECK: arith.addf %{{.*}}, %{{.*}} :
// CHECK: arith.divf
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: %[[DIVISOR:.*]] = arith.constant dense<2.000000e+00> : tensor<f32>
// CHECK: linalg.reduce ins
// CHECK: arith.addf %{{.*}}, %{{.*}} :
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[DIVISOR]] : tensor<4x1xf32>, tensor<f32>)
// CHECK: arith.divf
// CHECK: tensor.collapse_shape
func.func @var(%x: tensor<4x3xf32>) -> tensor<4xf32> {
  %0 = nn.var %x dims = [1] correction = 1 : tensor<4x3xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @logsumexp
// CHECK: linalg.reduce ins
// CHECK: arith.maximumf %{{.*}}, %{{.*}} :
// CHECK: math.absf
// CHECK: arith.cmpf oeq
// CHECK: arith.select
// CHECK: math.exp
// CHECK: linalg.reduce ins
// CHECK: arith.addf %{{.*}}, %{{.*}} :
// CHECK: math.log
// CHECK: arith.addf
func.func @logsumexp(%x: tensor<4x3xf32>) -> tensor<4x1xf32> {
  %0 = nn.logsumexp %x dims = [1] keepdim : tensor<4x3xf32>
  return %0 : tensor<4x1xf32>
}

// -----

// torch.matmul of vectors: the vector becomes a row or a column, the
// product loses the added dim.
// CHECK-LABEL: func.func @matmul_vectors
// CHECK-SAME: (%[[V:.*]]: tensor<3xf32>, %[[M:.*]]: tensor<2x4x3xf32>)
// CHECK-DAG: %[[ROW:.*]] = tensor.expand_shape %[[V]] {{\[\[}}0, 1]] output_shape [1, 3] : tensor<3xf32> into tensor<1x3xf32>
// CHECK-DAG: %[[COL:.*]] = tensor.expand_shape %[[V]] {{\[\[}}0, 1]] output_shape [3, 1] : tensor<3xf32> into tensor<3x1xf32>
// CHECK: %[[DOT:.*]] = linalg.matmul ins(%[[ROW]], %[[COL]] : tensor<1x3xf32>, tensor<3x1xf32>)
// CHECK: tensor.collapse_shape %[[DOT]] [] : tensor<1x1xf32> into tensor<f32>
// CHECK: %[[MV:.*]] = linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<8x3xf32>, tensor<3x1xf32>)
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2]] : tensor<2x4x1xf32> into tensor<2x4xf32>
func.func @matmul_vectors(%v: tensor<3xf32>, %m: tensor<2x4x3xf32>) -> (tensor<f32>, tensor<2x4xf32>) {
  %0 = nn.matmul %v, %v : tensor<3xf32>, tensor<3xf32>
  %1 = nn.matmul %m, %v : tensor<2x4x3xf32>, tensor<3xf32>
  return %0, %1 : tensor<f32>, tensor<2x4xf32>
}

// -----

// bf16 (and f16) reductions accumulate in f32 and round once.
// CHECK-LABEL: func.func @bf16_mean
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<4xf32>)
// CHECK: linalg.reduce ins(%{{.*}} : tensor<4x3xbf16>) outs(%[[INIT]] : tensor<4xf32>)
// CHECK: ^bb0(%[[S:.*]]: f32, %{{.*}}: bf16):
// CHECK: %[[M:.*]] = arith.divf %[[S]], %{{.*}} : f32
// CHECK: %[[R:.*]] = arith.truncf %[[M]] : f32 to bf16
// CHECK: linalg.yield %[[R]] : bf16
func.func @bf16_mean(%x: tensor<4x3xbf16>) -> tensor<4xbf16> {
  %0 = nn.mean %x dims = [1] : tensor<4x3xbf16>
  return %0 : tensor<4xbf16>
}

// -----

// u8 arithmetic runs in i32: operands zero-extended, the op rebuilt and
// lowered as usual, a u8 result truncated back (wrapping modulo 256).
// Comparisons of u8 are then exact signed comparisons of i32.
// CHECK-LABEL: func.func @uint8_arithmetic
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.addi %{{.*}}, %{{.*}} : i32
// CHECK: %[[T:.*]] = arith.trunci %{{.*}} : i32 to i8
// CHECK: builtin.unrealized_conversion_cast %[[T]] : i8 to ui8
// CHECK: arith.cmpi sgt, %{{.*}}, %{{.*}} : i32
func.func @uint8_arithmetic(%a: tensor<4xui8>, %b: tensor<4xui8>) -> (tensor<4xui8>, tensor<4xi1>) {
  %0 = nn.add %a, %b : tensor<4xui8>, tensor<4xui8>
  %1 = nn.gt %a, %b : tensor<4xui8>, tensor<4xui8>
  return %0, %1 : tensor<4xui8>, tensor<4xi1>
}

// -----

// arith constants are signless: a u8 constant is an i8 one reinterpreted
// element by element.
// CHECK-LABEL: func.func @uint8_constant
// CHECK: %[[C:.*]] = arith.constant dense<-56> : tensor<2xi8>
// CHECK: linalg.generic {{.*}} ins(%[[C]] : tensor<2xi8>) outs(%{{.*}} : tensor<2xui8>)
// CHECK: builtin.unrealized_conversion_cast %{{.*}} : i8 to ui8
func.func @uint8_constant() -> tensor<2xui8> {
  %0 = nn.constant dense<200> : tensor<2xui8>
  return %0 : tensor<2xui8>
}
