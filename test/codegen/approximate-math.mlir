// RUN: nnc-opt %s --nnc-approximate-math | FileCheck %s

// f32 exp, log and tanh become arith polynomials (vectorizable); other
// math ops and other element types are left alone.

// CHECK-LABEL: func.func @approximated
// CHECK-NOT:     math.exp
// CHECK-NOT:     math.log
// CHECK-NOT:     math.tanh
// CHECK:         return
func.func @approximated(%x: f32) -> (f32, f32, f32) {
  %e = math.exp %x : f32
  %l = math.log %x : f32
  %t = math.tanh %x : f32
  return %e, %l, %t : f32, f32, f32
}

// exp: clamp, n = round(x log2 e) by adding 1.5 * 2^23 + 126 (0x4B40007E)
// in one FMA, r = x - n ln 2 in two FMAs, a degree-5 polynomial (five
// FMAs), and 2^(n-1) from the sum's low bits shifted into the exponent.
// The same on vectors (the tiled kernels' ops).
// CHECK-LABEL: func.func @exp
// CHECK-SAME:    (%[[X:.*]]: f32, %[[V:.*]]: vector<16xf32>)
// CHECK-DAG:     %[[MAGIC:.*]] = arith.constant 0x4B40007E : f32
// CHECK-DAG:     %[[LOW:.*]] = arith.constant -8.750000e+01 : f32
// CHECK-DAG:     %[[HIGH:.*]] = arith.constant 8.880000e+01 : f32
// CHECK:         %[[ABOVE:.*]] = arith.maximumf %[[X]], %[[LOW]] : f32
// CHECK:         %[[CLAMPED:.*]] = arith.minimumf %[[ABOVE]], %[[HIGH]] : f32
// CHECK:         %[[SUM:.*]] = math.fma %[[CLAMPED]], %{{.*}}, %[[MAGIC]] : f32
// CHECK:         %[[N:.*]] = arith.subf %[[SUM]], %[[MAGIC]] : f32
// CHECK:         %[[R0:.*]] = math.fma %[[N]], %{{.*}}, %[[CLAMPED]] : f32
// CHECK:         %[[R:.*]] = math.fma %[[N]], %{{.*}}, %[[R0]] : f32
// CHECK-COUNT-4: math.fma %{{.*}}, %[[R]], %{{.*}} : f32
// CHECK:         %[[POLY:.*]] = math.fma %{{.*}}, %[[R]], %{{.*}} : f32
// CHECK:         %[[BITS:.*]] = arith.bitcast %[[SUM]] : f32 to i32
// CHECK:         %[[SHIFTED:.*]] = arith.shli %[[BITS]], %{{.*}} : i32
// CHECK:         %[[SCALE:.*]] = arith.bitcast %[[SHIFTED]] : i32 to f32
// CHECK:         arith.mulf %[[POLY]], %[[SCALE]] : f32
// CHECK:         arith.maximumf %[[V]], %{{.*}} : vector<16xf32>
// CHECK:         arith.shli %{{.*}}, %{{.*}} : vector<16xi32>
// CHECK-NOT:     math.exp
// CHECK:         return
func.func @exp(%x: f32, %v: vector<16xf32>) -> (f32, vector<16xf32>) {
  %e = math.exp %x : f32
  %w = math.exp %v : vector<16xf32>
  return %e, %w : f32, vector<16xf32>
}

// CHECK-LABEL: func.func @kept
// CHECK:         math.sqrt %{{.*}} : f32
// CHECK:         math.exp %{{.*}} : f64
func.func @kept(%x: f32, %y: f64) -> (f32, f64) {
  %s = math.sqrt %x : f32
  %e = math.exp %y : f64
  return %s, %e : f32, f64
}


// exp on a tensor (not a form the CPU pipeline leaves here) is left alone.
// CHECK-LABEL: func.func @tensor_exp
// CHECK:         math.exp %{{.*}} : tensor<4xf32>
func.func @tensor_exp(%x: tensor<4xf32>) -> tensor<4xf32> {
  %e = math.exp %x : tensor<4xf32>
  return %e : tensor<4xf32>
}
