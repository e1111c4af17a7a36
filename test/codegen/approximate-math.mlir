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

// CHECK-LABEL: func.func @kept
// CHECK:         math.sqrt %{{.*}} : f32
// CHECK:         math.exp %{{.*}} : f64
func.func @kept(%x: f32, %y: f64) -> (f32, f64) {
  %s = math.sqrt %x : f32
  %e = math.exp %y : f64
  return %s, %e : f32, f64
}
