// RUN: nnc-opt %s -split-input-file | FileCheck %s
// RUN: nnc-opt %s -split-input-file -mlir-print-op-generic | nnc-opt -split-input-file | FileCheck %s

// nn.fusion round-trips: results, captured values, the yield, attributes.
// (Kept beside the nn-fuse tests: the op is owned with the pass.)

// CHECK-LABEL: func.func @dense
// CHECK:         %[[R:.*]] = nn.fusion -> tensor<4x16xf32> {
// CHECK-NEXT:      %[[M:.*]] = nn.matmul %arg0, %arg1
// CHECK-NEXT:      %[[A:.*]] = nn.add %[[M]], %arg2
// CHECK-NEXT:      %[[T:.*]] = nn.tanh %[[A]]
// CHECK-NEXT:      nn.yield %[[T]] : tensor<4x16xf32>
// CHECK-NEXT:    }
// CHECK-NEXT:    return %[[R]]
func.func @dense(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>,
                 %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %y = nn.fusion -> tensor<4x16xf32> {
    %0 = nn.matmul %x, %w : tensor<4x8xf32>, tensor<8x16xf32>
    %1 = nn.add %0, %b : tensor<4x16xf32>, tensor<16xf32>
    %2 = nn.tanh %1 : tensor<4x16xf32>
    nn.yield %2 : tensor<4x16xf32>
  }
  return %y : tensor<4x16xf32>
}

// -----

// Several results, dynamic dims, and an attribute dictionary.
// CHECK-LABEL: func.func @two_results
// CHECK:         %{{.*}}:2 = nn.fusion -> tensor<?x3xf32>, tensor<?x1xf32> attributes {tag = 1 : i64} {
// CHECK:           nn.yield %{{.*}}, %{{.*}} : tensor<?x3xf32>, tensor<?x1xf32>
func.func @two_results(%x: tensor<?x3xf32>) -> (tensor<?x3xf32>, tensor<?x1xf32>) {
  %r:2 = nn.fusion -> tensor<?x3xf32>, tensor<?x1xf32> attributes {tag = 1} {
    %0 = nn.exp %x : tensor<?x3xf32>
    %1 = nn.sum %0 dims = [1] keepdim : tensor<?x3xf32>
    nn.yield %0, %1 : tensor<?x3xf32>, tensor<?x1xf32>
  }
  return %r#0, %r#1 : tensor<?x3xf32>, tensor<?x1xf32>
}

// -----

// A region with no results is legal (and dead: canonicalize removes it).
// CHECK-LABEL: func.func @no_results
// CHECK:         nn.fusion {
// CHECK-NEXT:      nn.yield
// CHECK-NEXT:    }
func.func @no_results() {
  nn.fusion {
    nn.yield
  }
  return
}
