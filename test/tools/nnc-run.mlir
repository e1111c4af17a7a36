// `nnc run`: a saved graph with its weights, run eagerly (the reference
// interpreter) and compiled, with the outputs summarized and written.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %python %S/Inputs/safetensors_tool.py write %t/x.safetensors input0=2x3:1,2,3,4,5,6
// RUN: %python %S/Inputs/safetensors_tool.py write %t/w.safetensors w=3x2:1,0,0,1,1,1 b=2:-5,0.5
// RUN: nnc run %s --weights %t/w.safetensors --input input0=%t/x.safetensors --mode=eager --output %t/eager.safetensors | FileCheck %s --check-prefixes=CHECK,EAGER
// RUN: nnc run %s --weights %t/w.safetensors --input input0=%t/x.safetensors --output %t/compiled.safetensors | FileCheck %s --check-prefixes=CHECK,COMPILED
// RUN: %python %S/Inputs/safetensors_tool.py dump %t/eager.safetensors | FileCheck %s --check-prefix=FILE
// RUN: %python %S/Inputs/safetensors_tool.py dump %t/compiled.safetensors | FileCheck %s --check-prefix=FILE

// EAGER:    ran {{.*}}nnc-run.mlir (eager) in {{.*}} ms
// COMPILED: ran {{.*}}nnc-run.mlir (compiled) in {{.*}} ms
// CHECK:    output0: Float [2, 2]  min 0  max 11.5  mean 5.5
// CHECK:    tensor({{\[}}[ 0.0000,  5.5000],
// CHECK:            [ 5.0000, 11.5000]])
// FILE:     output0 [2, 2] 0 5.5 5 11.5

// Errors name what is missing or wrong.
// RUN: not nnc run %s --weights %t/w.safetensors 2>&1 | FileCheck %s --check-prefix=NOINPUT
// NOINPUT: error: {{.*}}nnc-run.mlir needs the input 'input0' (--input input0=file.safetensors)
// RUN: %python %S/Inputs/safetensors_tool.py write %t/bad.safetensors w=2x3:1,0,0,1,1,1 b=2:-5,0.5
// RUN: not nnc run %s --weights %t/bad.safetensors --input input0=%t/x.safetensors 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: error: {{.*}}bad.safetensors: tensor 'w' has shape [2, 3] but argument 1 of @forward in {{.*}}nnc-run.mlir is tensor<3x2xf32>
// RUN: not nnc run %s --weights %t/w.safetensors --input input0=%t/x.safetensors --input y=%t/x.safetensors 2>&1 | FileCheck %s --check-prefix=EXTRA
// EXTRA: error: --input y: {{.*}}nnc-run.mlir has no input of that name

func.func @forward(%x: tensor<2x3xf32> {nn.name = "input0"},
                   %w: tensor<3x2xf32> {nn.name = "w"},
                   %b: tensor<2xf32> {nn.name = "b"}) -> tensor<2x2xf32> {
  %m = nn.matmul %x, %w : tensor<2x3xf32>, tensor<3x2xf32>
  %y = nn.add %m, %b : tensor<2x2xf32>, tensor<2xf32>
  %r = nn.relu %y : tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}
