//===- nnc-opt.cpp - mlir-opt with the nn dialect and nnc's passes
//---------===//
//
// What lit tests run: every upstream dialect and pass, plus the `nn` dialect,
// every nnc pass and the named pipelines.
//
//===----------------------------------------------------------------------===//
#include "codegen/Passes.h"
#include "ir/NNDialect.h"
#include "passes/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  nnc::registerGraphPasses();
  nnc::registerCodegenPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::nn::NNDialect>();

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "nnc optimizer driver\n", registry));
}
