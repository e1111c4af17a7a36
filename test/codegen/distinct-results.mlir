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

// -----

// A donated result keeps the value; the other position gets the copy, so the
// donated one can stay its argument's buffer.
// CHECK-LABEL: func.func @donated
// CHECK:         %[[C:.*]] = bufferization.alloc_tensor() copy(%arg1) : tensor<3xf32>
// CHECK:         return %[[C]], %arg1
func.func @donated(%x: tensor<3xf32>, %y: tensor<3xf32>)
    -> (tensor<3xf32>, tensor<3xf32> {nn.donated_argument = 0 : i64}) {
  return %y, %y : tensor<3xf32>, tensor<3xf32>
}
