//===- codegen/ExposeCInterface.cpp - Request _mlir_ciface_ wrappers ------===//
//
// The runtime calls entry points through the C-interface wrapper (one
// descriptor pointer per memref), so every public function needs one.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"

#include "mlir/Conversion/LLVMCommon/LoweringOptions.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"

#define DEBUG_TYPE "nnc-expose-c-interface"

namespace nnc {
#define GEN_PASS_DEF_EXPOSECINTERFACE
#include "codegen/Passes.h.inc"
} // namespace nnc

namespace {
struct ExposeCInterfacePass
    : nnc::impl::ExposeCInterfaceBase<ExposeCInterfacePass> {
  void runOnOperation() override {
    mlir::ModuleOp module = getOperation();
    auto attrName = mlir::LLVM::LLVMDialect::getEmitCWrapperAttrName();
    for (auto func : module.getOps<mlir::func::FuncOp>())
      if (func.isPublic() && !func.isExternal())
        func->setAttr(attrName, mlir::UnitAttr::get(&getContext()));
  }
};
} // namespace
