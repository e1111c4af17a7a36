// Bad input gives a clear error and a non-zero exit code, never a crash.

// RUN: not nnc %t.missing.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: nnc: error: cannot open '{{.*}}missing.mlir': No such file or directory

// RUN: not nnc %S/Inputs/nnc-parse-error.mlir 2>&1 | FileCheck %s --check-prefix=PARSE
// PARSE: nnc-parse-error.mlir:3:18: error: expected ':'
// PARSE: nnc: error: cannot parse '{{.*}}nnc-parse-error.mlir'

// RUN: not nnc %S/Inputs/nnc-verify-error.mlir 2>&1 | FileCheck %s --check-prefix=VERIFY
// VERIFY: nnc-verify-error.mlir:3:8: error: 'nn.add' op operand shapes {{.*}} are not broadcastable
// VERIFY: nnc: error: cannot parse '{{.*}}nnc-verify-error.mlir'

// RUN: not nnc %S/Inputs/nnc-lowering-error.mlir 2>&1 | FileCheck %s --check-prefix=LOWERING
// LOWERING: nnc-lowering-error.mlir:9:5: error: Yield operand #0 is not equivalent to the corresponding iter bbArg
// LOWERING: nnc: error: lowering '{{.*}}nnc-lowering-error.mlir' failed

// RUN: not nnc %S/Inputs/nnc-ok.mlir --pass-pipeline='builtin.module(no-such-pass)' 2>&1 | FileCheck %s --check-prefix=PIPELINE
// PIPELINE: nnc: error: invalid --pass-pipeline: {{.*}}'no-such-pass' does not refer to a registered pass or pass pipeline

// RUN: not nnc %S/Inputs/nnc-ok.mlir --pass-pipeline='func.func(cse)' 2>&1 | FileCheck %s --check-prefix=ANCHOR
// ANCHOR: nnc: error: --pass-pipeline must be anchored on builtin.module

// LLVM output needs a module fully in the LLVM dialect.
// RUN: not nnc %S/Inputs/nnc-ok.mlir --emit=llvm --pass-pipeline='builtin.module(nnc-inference)' 2>&1 | FileCheck %s --check-prefix=UNLOWERED
// UNLOWERED: nnc: error: cannot translate the module to LLVM IR
// UNLOWERED: error: {{.*}}

// RUN: not nnc %S/Inputs/nnc-ok.mlir --emit=bogus 2>&1 | FileCheck %s --check-prefix=EMIT
// EMIT: Cannot find option named 'bogus'
