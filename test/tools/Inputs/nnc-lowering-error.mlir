// Input of nnc-errors.mlir: valid, but the loop cannot bufferize in place.
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = scf.while (%a = %x) : (tensor<4xf32>) -> tensor<4xf32> {
    %true = arith.constant true
    scf.condition(%true) %a : tensor<4xf32>
  } do {
  ^bb0(%b: tensor<4xf32>):
    %fresh = tensor.empty() : tensor<4xf32>
    scf.yield %fresh : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}
