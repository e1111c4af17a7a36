// RUN: nnc-opt %s -split-input-file -verify-diagnostics

func.func @bad_state(%state: tensor<3xi64>) -> tensor<4xf32> {
  // expected-error @+1 {{'nn.random_uniform' op state must be tensor<2xi64> ([seed, offset]), got 'tensor<3xi64>'}}
  %u = nn.random_uniform %state : tensor<3xi64> -> tensor<4xf32>
  return %u : tensor<4xf32>
}

// -----

func.func @dynamic_result(%state: tensor<2xi64>, %n: index) -> tensor<?xf32> {
  // expected-error @+1 {{'nn.random_uniform' op result shape must be static, got 'tensor<?xf32>'}}
  %u = nn.random_uniform %state : tensor<2xi64> -> tensor<?xf32>
  return %u : tensor<?xf32>
}
