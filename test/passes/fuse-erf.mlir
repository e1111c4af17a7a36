// RUN: nnc-opt %s --nn-fuse | FileCheck %s

// nn.erf is elementwise to fusion: exact GELU, 0.5 x (1 + erf(x / sqrt(2))),
// after a matmul is one region (the matmul with its elementwise epilogue).
// CHECK-LABEL: func.func @gelu_epilogue
// CHECK:         %[[R:.*]] = nn.fusion -> tensor<64x128xf32> {
// CHECK-NEXT:      nn.matmul
// CHECK-NEXT:      nn.mul
// CHECK-NEXT:      nn.erf
// CHECK-NEXT:      nn.add
// CHECK-NEXT:      nn.mul
// CHECK-NEXT:      nn.mul
// CHECK-NEXT:      nn.yield
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[R]]
func.func @gelu_epilogue(%a: tensor<64x32xf32>, %b: tensor<32x128xf32>) -> tensor<64x128xf32> {
  %half = nn.constant dense<0.5> : tensor<f32>
  %one = nn.constant dense<1.0> : tensor<f32>
  %rsqrt2 = nn.constant dense<0.707106769> : tensor<f32>
  %x = nn.matmul %a, %b : tensor<64x32xf32>, tensor<32x128xf32>
  %0 = nn.mul %x, %rsqrt2 : tensor<64x128xf32>, tensor<f32>
  %1 = nn.erf %0 : tensor<64x128xf32>
  %2 = nn.add %one, %1 : tensor<f32>, tensor<64x128xf32>
  %3 = nn.mul %x, %half : tensor<64x128xf32>, tensor<f32>
  %4 = nn.mul %3, %2 : tensor<64x128xf32>, tensor<64x128xf32>
  return %4 : tensor<64x128xf32>
}
