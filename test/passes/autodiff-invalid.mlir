// RUN: nnc-opt %s -nn-autodiff -split-input-file -verify-diagnostics

// What nn-autodiff rejects, with a message at the culprit.

func.func private @opaque(tensor<3xf32>) -> tensor<3xf32>

// An op without DifferentiableOpInterface between a marked argument and the
// loss is named.
func.func @through_call(%x: tensor<3xf32> {nn.requires_grad}) -> tensor<f32> {
  // expected-error @+1 {{'func.call' op is not differentiable (no DifferentiableOpInterface) but lies between an argument marked nn.requires_grad and the loss}}
  %0 = func.call @opaque(%x) : (tensor<3xf32>) -> tensor<3xf32>
  %1 = nn.sum %0 dims = [0] : tensor<3xf32>
  return %1 : tensor<f32>
}

// -----

// The same op off the path (it does not depend on a marked argument) is fine.
func.func private @opaque(tensor<3xf32>) -> tensor<3xf32>

func.func @call_off_the_path(%x: tensor<3xf32> {nn.requires_grad}, %c: tensor<3xf32>) -> tensor<f32> {
  %0 = func.call @opaque(%c) : (tensor<3xf32>) -> tensor<3xf32>
  %1 = nn.mul %x, %0 : tensor<3xf32>, tensor<3xf32>
  %2 = nn.sum %1 dims = [0] : tensor<3xf32>
  return %2 : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op cannot be differentiated: its first result must be the loss, a rank-0 float tensor, got 'tensor<3xf32>'}}
func.func @not_a_scalar_loss(%x: tensor<3xf32> {nn.requires_grad}) -> tensor<3xf32> {
  return %x : tensor<3xf32>
}

// -----

// expected-error @+1 {{'func.func' op argument #1 cannot be differentiated: it is 'tensor<3xi64>', not a ranked float tensor}}
func.func @integer_argument(%x: tensor<3xf32>, %t: tensor<3xi64> {nn.requires_grad}) -> tensor<f32> {
  %0 = nn.sum %x dims = [0] : tensor<3xf32>
  return %0 : tensor<f32>
}

// -----

// expected-error @+1 {{'func.func' op cannot be differentiated: nn-autodiff needs a body of one block}}
func.func private @declaration(tensor<3xf32> {nn.requires_grad}) -> tensor<f32>
