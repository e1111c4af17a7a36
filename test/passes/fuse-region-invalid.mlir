// RUN: nnc-opt %s -split-input-file -verify-diagnostics

// nn.fusion and nn.yield reject malformed regions with a message that says
// what is wrong.

// The yield must give one value per result.
func.func @too_few_values(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.fusion' op yields 0 values but has 1 results}}
  %y = nn.fusion -> tensor<4xf32> {
    nn.yield
  }
  return %y : tensor<4xf32>
}

// -----

// Each yielded value must have the type of its result.
func.func @type_mismatch(%x: tensor<4xf32>) -> tensor<4xf64> {
  // expected-error @+1 {{'nn.fusion' op yields 'tensor<4xf32>' as value 0 but result 0 has type 'tensor<4xf64>'}}
  %y = nn.fusion -> tensor<4xf64> {
    %0 = nn.exp %x : tensor<4xf32>
    nn.yield %0 : tensor<4xf32>
  }
  return %y : tensor<4xf64>
}

// -----

// The body ends with nn.yield, not another terminator.
func.func @no_yield(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.fusion' op body must end with nn.yield}}
  "nn.fusion"() ({
    %0 = nn.exp %x : tensor<4xf32>
    llvm.unreachable
  }) : () -> ()
  return
}

// -----

// Regions do not nest: one region is one kernel.
func.func @nested(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = nn.fusion -> tensor<4xf32> {
    // expected-error @+1 {{'nn.fusion' op cannot be nested in another nn.fusion}}
    %0 = nn.fusion -> tensor<4xf32> {
      %1 = nn.exp %x : tensor<4xf32>
      nn.yield %1 : tensor<4xf32>
    }
    nn.yield %0 : tensor<4xf32>
  }
  return %y : tensor<4xf32>
}

// -----

// nn.yield only ends an nn.fusion.
func.func @stray_yield(%x: tensor<4xf32>) {
  // expected-error @+1 {{'nn.yield' op expects parent op 'nn.fusion'}}
  nn.yield %x : tensor<4xf32>
}

// -----

// Results are ranked tensors.
func.func @scalar_result(%x: f32) -> f32 {
  // expected-error @+1 {{'nn.fusion' op result #0 must be variadic of ranked tensor of any type values, but got 'f32'}}
  %y = nn.fusion -> f32 {
    nn.yield %x : f32
  }
  return %y : f32
}
