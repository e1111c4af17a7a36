// RUN: nnc %s --emit=llvm | FileCheck %s

// Regression: a value returned in two positions (here after x * 1 folds to
// x) used to crash buffer-results-to-out-params; each output now gets its
// own buffer and the entry takes two output descriptors.
// CHECK: define void @_mlir_ciface_f(ptr{{[^,]*}}, ptr{{[^,]*}}, ptr{{[^,]*}}, ptr{{[^,)]*}})
func.func @f(%x: tensor<3xf32>, %t: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %c = nn.constant dense<2.0> : tensor<f32>
  %m = nn.mul %x, %c : tensor<3xf32>, tensor<f32>
  %0 = nn.add %t, %m : tensor<3xf32>, tensor<3xf32>
  %one = nn.constant dense<1.0> : tensor<f32>
  %1 = nn.mul %0, %one : tensor<3xf32>, tensor<f32>
  return %1, %0 : tensor<3xf32>, tensor<3xf32>
}
