// Input of nnc-errors.mlir: a missing ":" before the type.
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.relu %x tensor<4xf32>
  return %0 : tensor<4xf32>
}
