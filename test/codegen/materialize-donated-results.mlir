// RUN: nnc-opt %s -split-input-file -verify-diagnostics --nnc-materialize-donated-results | FileCheck %s

// A donated result is written into its argument; other results are left
// alone.
// CHECK-LABEL: func.func @sgd(
// CHECK-SAME:      %[[W:[a-z0-9]+]]: tensor<4xf32>, %[[G:[a-z0-9]+]]: tensor<4xf32>)
// CHECK:         %[[NEW:.*]] = nn.sub %[[W]], %[[G]]
// CHECK:         %[[M:.*]] = bufferization.materialize_in_destination %[[NEW]] in %[[W]] : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
// CHECK:         return %[[G]], %[[M]]
func.func @sgd(%w: tensor<4xf32>, %g: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<4xf32> {nn.donated_argument = 0 : i64}) {
  %new = nn.sub %w, %g : tensor<4xf32>, tensor<4xf32>
  return %g, %new : tensor<4xf32>, tensor<4xf32>
}

// -----

// When a fusion region computes the new value, the region writes it into
// the argument too, so that its kernel updates the argument in place.
// CHECK-LABEL: func.func @fused(
// CHECK-SAME:      %[[W:[a-z0-9]+]]: tensor<4xf32>, %[[G:[a-z0-9]+]]: tensor<4xf32>)
// CHECK:         %[[F:.*]] = nn.fusion -> tensor<4xf32> {
// CHECK:           %[[NEW:.*]] = nn.sub
// CHECK:           %[[IN:.*]] = bufferization.materialize_in_destination %[[NEW]] in %[[W]]
// CHECK:           nn.yield %[[IN]]
// CHECK:         %[[M:.*]] = bufferization.materialize_in_destination %[[F]] in %[[W]]
// CHECK:         return %[[M]]
func.func @fused(%w: tensor<4xf32>, %g: tensor<4xf32>)
    -> (tensor<4xf32> {nn.donated_argument = 0 : i64}) {
  %f = nn.fusion -> tensor<4xf32> {
    %s = nn.mul %g, %g : tensor<4xf32>, tensor<4xf32>
    %new = nn.sub %w, %s : tensor<4xf32>, tensor<4xf32>
    nn.yield %new : tensor<4xf32>
  }
  return %f : tensor<4xf32>
}

// -----

// A value returned in a donated and a plain position: both return the
// written value (bufferization could not tell that the plain position's
// buffer, overwritten by the write, still holds that value).
// CHECK-LABEL: func.func @also_returned(
// CHECK:         %[[M:.*]] = bufferization.materialize_in_destination
// CHECK:         return %[[M]], %[[M]]
func.func @also_returned(%w: tensor<4xf32>, %g: tensor<4xf32>)
    -> (tensor<4xf32>, tensor<4xf32> {nn.donated_argument = 0 : i64}) {
  %new = nn.sub %w, %g : tensor<4xf32>, tensor<4xf32>
  return %new, %new : tensor<4xf32>, tensor<4xf32>
}

// -----

// One value donated to two arguments: written into the first, then from the
// first into the second; each donated position returns its own write.
// CHECK-LABEL: func.func @donated_twice_one_value(
// CHECK-SAME:      %[[A:[a-z0-9]+]]: tensor<4xf32>, %[[B:[a-z0-9]+]]: tensor<4xf32>, %[[G:[a-z0-9]+]]: tensor<4xf32>)
// CHECK:         %[[MA:.*]] = bufferization.materialize_in_destination %[[G]] in %[[A]]
// CHECK:         %[[MB:.*]] = bufferization.materialize_in_destination %[[MA]] in %[[B]]
// CHECK:         return %[[MA]], %[[MB]]
func.func @donated_twice_one_value(%a: tensor<4xf32>, %b: tensor<4xf32>, %g: tensor<4xf32>)
    -> (tensor<4xf32> {nn.donated_argument = 0 : i64},
        tensor<4xf32> {nn.donated_argument = 1 : i64}) {
  return %g, %g : tensor<4xf32>, tensor<4xf32>
}

// -----

// Running the pass twice (nnc-cpu does) writes once.
// CHECK-LABEL: func.func @idempotent
// CHECK-COUNT-1: bufferization.materialize_in_destination
// CHECK-NOT:     bufferization.materialize_in_destination
func.func @idempotent(%w: tensor<4xf32>, %g: tensor<4xf32>)
    -> (tensor<4xf32> {nn.donated_argument = 0 : i64}) {
  %new = nn.sub %w, %g : tensor<4xf32>, tensor<4xf32>
  %m = bufferization.materialize_in_destination %new in %w : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %m : tensor<4xf32>
}

// -----

// expected-error @+1 {{result 0 ('tensor<4xf32>') is donated to argument 0 ('tensor<8xf32>'); both must be the same ranked tensor type}}
func.func @type_mismatch(%w: tensor<8xf32>, %g: tensor<4xf32>)
    -> (tensor<4xf32> {nn.donated_argument = 0 : i64}) {
  return %g : tensor<4xf32>
}

// -----

// expected-error @+1 {{result 0: nn.donated_argument must be the index of an argument, got 3 : i64}}
func.func @no_such_argument(%w: tensor<4xf32>)
    -> (tensor<4xf32> {nn.donated_argument = 3 : i64}) {
  return %w : tensor<4xf32>
}

// -----

// expected-error @+1 {{argument 0 is donated to two results}}
func.func @donated_twice(%w: tensor<4xf32>, %g: tensor<4xf32>)
    -> (tensor<4xf32> {nn.donated_argument = 0 : i64},
        tensor<4xf32> {nn.donated_argument = 0 : i64}) {
  return %g, %g : tensor<4xf32>, tensor<4xf32>
}
