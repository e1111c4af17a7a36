// RUN: nnc-opt %s --nnc-expose-c-interface | FileCheck %s

// Public definitions get the C-interface attribute; private helpers keep
// their plain convention and become internal to the module (LLVM drops them
// once inlined); external declarations stay as they are.

// CHECK-LABEL: func.func @entry(
// CHECK-SAME:    attributes {llvm.emit_c_interface}
func.func @entry(%a: memref<4xf32>, %out: memref<4xf32>) {
  func.call @helper(%a, %out) : (memref<4xf32>, memref<4xf32>) -> ()
  return
}

// CHECK-LABEL: func.func private @helper(
// CHECK-NOT:     llvm.emit_c_interface
// CHECK-SAME:    attributes {llvm.linkage = #llvm.linkage<internal>} {
func.func private @helper(%a: memref<4xf32>, %out: memref<4xf32>) {
  memref.copy %a, %out : memref<4xf32> to memref<4xf32>
  return
}

// CHECK-LABEL: func.func private @external(
// CHECK-NOT:     llvm.emit_c_interface
// CHECK-NOT:     llvm.linkage
func.func private @external(memref<4xf32>)
