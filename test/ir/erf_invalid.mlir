// RUN: nnc-opt %s -split-input-file -verify-diagnostics

// nn.erf takes float tensors only.

func.func @erf_of_integers(%x: tensor<3xi64>) -> tensor<3xi64> {
  // expected-error @+1 {{'nn.erf' op operand #0 must be}}
  %0 = nn.erf %x : tensor<3xi64>
  return %0 : tensor<3xi64>
}
