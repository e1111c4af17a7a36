// RUN: nnc-opt %s -nnc-distinct-results -split-input-file | FileCheck %s

// A value returned twice: the second position gets its own copy.
// CHECK-LABEL: func.func @twice
// CHECK:         %[[C:.*]] = bufferization.alloc_tensor() copy(%arg0) : tensor<3xf32>
// CHECK:         return %arg0, %[[C]]
func.func @twice(%x: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  return %x, %x : tensor<3xf32>, tensor<3xf32>
}

// -----

// Distinct results are left alone; only the repeat (position 2) is copied.
// CHECK-LABEL: func.func @dynamic
// CHECK:         %[[C:.*]] = bufferization.alloc_tensor() copy(%arg0) : tensor<?x4xf32>
// CHECK:         return %arg0, %arg1, %[[C]]
func.func @dynamic(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>)
    -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  return %x, %y, %x : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}
