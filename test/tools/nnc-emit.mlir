// Each --emit kind of the nnc driver on a small nn function.

// The default output is the module lowered by nnc-cpu, as MLIR.
// RUN: nnc %s | FileCheck %s --check-prefix=MLIR
// RUN: nnc %s --emit=mlir | FileCheck %s --check-prefix=MLIR
// MLIR:       llvm.func @affine(
// MLIR-SAME:    attributes {llvm.emit_c_interface}
// MLIR:       llvm.func @_mlir_ciface_affine(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr)
// MLIR-NOT:   nn.

// Optimized LLVM IR for the host, from a file or from stdin.
// RUN: nnc %s --emit=llvm | FileCheck %s --check-prefix=LLVM
// RUN: nnc - --emit=llvm < %s | FileCheck %s --check-prefix=LLVM
// LLVM:       target triple = "x86_64
// LLVM:       define void @affine(
// LLVM:       define void @_mlir_ciface_affine(ptr {{.*}}%0, ptr {{.*}}%1, ptr {{.*}}%2)

// Assembly, to stdout and to a file.
// RUN: nnc %s --emit=asm | FileCheck %s --check-prefix=ASM
// RUN: nnc %s --emit=asm -o %t.s && FileCheck %s --check-prefix=ASM < %t.s
// ASM:        .globl _mlir_ciface_affine
// ASM:        _mlir_ciface_affine:
// ASM:        ret

// A relocatable object exporting both functions.
// RUN: nnc %s --emit=obj -o %t.o && llvm-nm %t.o | FileCheck %s --check-prefix=OBJ
// OBJ-DAG:    T _mlir_ciface_affine
// OBJ-DAG:    T affine

// A generic CPU at -O0 still compiles; no AVX-512 registers appear.
// RUN: nnc %s --emit=asm -O0 --mcpu=x86-64 | FileCheck %s --check-prefix=GENERIC
// GENERIC:     _mlir_ciface_affine:
// GENERIC-NOT: zmm

func.func @affine(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = nn.mul %x, %x : tensor<4x8xf32>, tensor<4x8xf32>
  %1 = nn.add %0, %b : tensor<4x8xf32>, tensor<8xf32>
  return %1 : tensor<4x8xf32>
}
