// RUN: nnc-opt %s -split-input-file -verify-diagnostics --nnc-drop-donated-results | FileCheck %s

// After bufferization a donated result is its argument's buffer: it leaves
// the function type, and the argument is marked nn.donated.
// CHECK-LABEL: func.func @step(
// CHECK-SAME:      %{{.*}}: memref<4xf32> {nn.donated}, %{{.*}}: memref<4xf32>) -> memref<f32> {
// CHECK:         return %{{.*}} : memref<f32>
func.func @step(%w: memref<4xf32>, %g: memref<4xf32>)
    -> (memref<f32>, memref<4xf32> {nn.donated_argument = 0 : i64}) {
  %loss = memref.alloc() : memref<f32>
  return %loss, %w : memref<f32>, memref<4xf32>
}

// -----

// A cast between the argument and the return is still the same buffer.
// CHECK-LABEL: func.func @cast(
// CHECK-SAME:      %{{.*}}: memref<4xf32> {nn.donated}) {
// CHECK:         return{{$}}
func.func @cast(%w: memref<4xf32>)
    -> (memref<?xf32> {nn.donated_argument = 0 : i64}) {
  %c = memref.cast %w : memref<4xf32> to memref<?xf32>
  return %c : memref<?xf32>
}

// -----

func.func @not_the_argument(%w: memref<4xf32>)
    -> (memref<4xf32> {nn.donated_argument = 0 : i64}) {
  %new = memref.alloc() : memref<4xf32>
  // expected-error @+1 {{donated result 0 is not the buffer of argument 0 after bufferization (internal error)}}
  return %new : memref<4xf32>
}
