//===- codegen/ExposeCInterface.cpp - Request _mlir_ciface_ wrappers ------===//
//
// The runtime calls entry points through the C-interface wrapper (one
// descriptor pointer per memref), so every public function needs one.
// Private functions (kernels, parallel tasks) are only called from the
// module: with internal linkage, LLVM drops one once it has inlined it into
// its only caller, instead of compiling its body twice.
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
    auto internal = mlir::LLVM::LinkageAttr::get(&getContext(),
                                                 mlir::LLVM::Linkage::Internal);
    for (auto func : module.getOps<mlir::func::FuncOp>()) {
      if (func.isExternal())
        continue;
      if (func.isPublic())
        func->setAttr(attrName, mlir::UnitAttr::get(&getContext()));
      else
        func->setAttr("llvm.linkage", internal);
    }
  }
};
} // namespace
