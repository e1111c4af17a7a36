//===- ir/NNInterfaces.td - interfaces of nn ops ------------*- tablegen -*-===//
//
// Op interfaces that nnc's passes dispatch on. Result-type inference uses
// MLIR's InferTypeOpInterface (see NNOps.td); nn-specific interfaces are
// declared here as the passes that need them arrive: DifferentiableOpInterface
// (buildVJP, for nn-autodiff) and LayoutInterface (for nn-layout), DESIGN.md
// section 4. Nothing is declared yet, so nothing is generated from this file.
//
//===----------------------------------------------------------------------===//
#ifndef NNC_IR_NNINTERFACES_TD
#define NNC_IR_NNINTERFACES_TD

include "mlir/IR/OpBase.td"

#endif // NNC_IR_NNINTERFACES_TD
