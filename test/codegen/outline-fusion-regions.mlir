// RUN: nnc-opt %s -split-input-file --nnc-outline-fusion-regions | FileCheck %s

// Every nn.fusion becomes a private kernel function and a call: captured
// values are its arguments (in order of first use), constants are cloned
// into it, yielded values are its results.

// CHECK-LABEL: func.func @two_kernels(
// CHECK-SAME:      %[[X:[a-z0-9]+]]: tensor<4x8xf32>, %[[W:[a-z0-9]+]]: tensor<8x16xf32>, %[[B:[a-z0-9]+]]: tensor<16xf32>)
// CHECK:         %[[K0:.*]] = call @two_kernels_fusion0(%[[X]], %[[W]], %[[B]]) : (tensor<4x8xf32>, tensor<8x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT:    %[[K1:.*]] = call @two_kernels_fusion1(%[[K0]]) : (tensor<4x16xf32>) -> tensor<4x16xf32>
// CHECK-NEXT:    return %[[K1]]
// CHECK:       func.func private @two_kernels_fusion0(%{{.*}}: tensor<4x8xf32>, %{{.*}}: tensor<8x16xf32>, %{{.*}}: tensor<16xf32>) -> tensor<4x16xf32> attributes {nnc.kernel} {
// CHECK-NEXT:    nn.matmul
// CHECK-NEXT:    %[[SUM:.*]] = nn.add
// CHECK-NEXT:    return %[[SUM]] : tensor<4x16xf32>
// CHECK:       func.func private @two_kernels_fusion1(%[[A:.*]]: tensor<4x16xf32>) -> tensor<4x16xf32> attributes {nnc.kernel} {
// CHECK-NEXT:    %[[C:.*]] = nn.constant dense<2.000000e+00>
// CHECK-NEXT:    %[[M:.*]] = nn.mul %[[A]], %[[C]]
// CHECK-NEXT:    %[[T:.*]] = nn.tanh %[[M]]
// CHECK-NEXT:    return %[[T]]
func.func @two_kernels(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %c = nn.constant dense<2.0> : tensor<16xf32>
  %0 = nn.fusion -> tensor<4x16xf32> {
    %m = nn.matmul %x, %w : tensor<4x8xf32>, tensor<8x16xf32>
    %a = nn.add %m, %b : tensor<4x16xf32>, tensor<16xf32>
    nn.yield %a : tensor<4x16xf32>
  }
  %1 = nn.fusion -> tensor<4x16xf32> {
    %t = nn.mul %0, %c : tensor<4x16xf32>, tensor<16xf32>
    %r = nn.tanh %t : tensor<4x16xf32>
    nn.yield %r : tensor<4x16xf32>
  }
  return %1 : tensor<4x16xf32>
}

// -----

// Several results become a multi-result kernel.
// CHECK-LABEL: func.func @two_results
// CHECK:         %[[R:.*]]:2 = call @two_results_fusion0(%arg0) : (tensor<8x4xf32>) -> (tensor<8x4xf32>, tensor<8x1xf32>)
// CHECK:         return %[[R]]#1, %[[R]]#0
// CHECK:       func.func private @two_results_fusion0
func.func @two_results(%x: tensor<8x4xf32>) -> (tensor<8x1xf32>, tensor<8x4xf32>) {
  %r:2 = nn.fusion -> tensor<8x4xf32>, tensor<8x1xf32> {
    %0 = nn.exp %x : tensor<8x4xf32>
    %1 = nn.sum %0 dims = [1] keepdim : tensor<8x4xf32>
    nn.yield %0, %1 : tensor<8x4xf32>, tensor<8x1xf32>
  }
  return %r#1, %r#0 : tensor<8x1xf32>, tensor<8x4xf32>
}

// -----

// A region with a dynamically shaped result stays in place (inlined): the
// caller could not size an output buffer for a kernel.
// CHECK-LABEL: func.func @dynamic
// CHECK-NEXT:    %[[E:.*]] = nn.exp %arg0
// CHECK-NEXT:    %[[T:.*]] = nn.tanh %[[E]]
// CHECK-NEXT:    return %[[T]]
// CHECK-NOT:     func.func private
func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = nn.fusion -> tensor<?x4xf32> {
    %e = nn.exp %x : tensor<?x4xf32>
    %t = nn.tanh %e : tensor<?x4xf32>
    nn.yield %t : tensor<?x4xf32>
  }
  return %0 : tensor<?x4xf32>
}
