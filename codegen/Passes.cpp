//===- codegen/Passes.cpp - Register codegen passes -----------------------===//
#include "codegen/Passes.h"

namespace nnc {
void registerCodegenPasses() {}
} // namespace nnc
