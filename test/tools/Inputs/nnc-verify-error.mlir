// Input of nnc-errors.mlir: parses, but the shapes do not broadcast.
func.func @f(%x: tensor<4x3xf32>, %y: tensor<5x3xf32>) -> tensor<4x3xf32> {
  %0 = nn.add %x, %y : tensor<4x3xf32>, tensor<5x3xf32>
  return %0 : tensor<4x3xf32>
}
