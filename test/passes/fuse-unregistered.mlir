// RUN: nnc-opt %s --allow-unregistered-dialect --nn-fuse=report=true 2>&1 | FileCheck %s

// Ops of unknown (unregistered) dialects are barriers like any non-nn op:
// nn-fuse forms regions around them and does not look into them.
// CHECK: nn-fuse: @unknown: 2 regions of 2 ops, 0 bytes of traffic saved
// CHECK-LABEL: func.func @unknown
// CHECK:         %[[E:.*]] = nn.fusion
// CHECK-NEXT:      nn.exp
// CHECK:         %[[M:.*]] = "mystery.op"(%[[E]])
// CHECK:         nn.fusion
// CHECK-NEXT:      nn.tanh %[[M]]
func.func @unknown(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = nn.exp %x : tensor<4xf32>
  %1 = "mystery.op"(%0) : (tensor<4xf32>) -> tensor<4xf32>
  %2 = nn.tanh %1 : tensor<4xf32>
  return %2 : tensor<4xf32>
}
