//===- frontend/nn/Embedding.cpp - nn::Embedding --------------------------===//
#include "frontend/nn/Embedding.h"

#include "frontend/Autograd.h"
#include "frontend/TraceHook.h"

#include <string>

namespace nnc::nn {

namespace {

/// padding_idx made non-negative, checked against the table's rows.
std::optional<int64_t> normalizePaddingIdx(const char *op,
                                           std::optional<int64_t> paddingIdx,
                                           int64_t numEmbeddings) {
  if (!paddingIdx)
    return std::nullopt;
  int64_t p = *paddingIdx;
  if (p < -numEmbeddings || p >= numEmbeddings)
    throw Error(std::string(op) + ": padding_idx must be within [" +
                std::to_string(-numEmbeddings) + ", " +
                std::to_string(numEmbeddings) + "), got " + std::to_string(p));
  return p < 0 ? p + numEmbeddings : p;
}

} // namespace

namespace functional {

Tensor embedding(const Tensor &input, const Tensor &weight,
                 const EmbeddingFuncOptions &options) {
  if (input.dtype() != kInt64 && input.dtype() != kInt32)
    throw Error(std::string("embedding: expected Long or Int indices, got ") +
                toString(input.dtype()));
  if (weight.dim() != 2)
    throw Error("embedding: expected weight of 2 dims [num_embeddings, "
                "embedding_dim], got " +
                shapeToString(weight.sizes()));
  std::optional<int64_t> padding =
      normalizePaddingIdx("embedding", options.padding_idx(), weight.size(0));
  Tensor flat = input.reshape({-1});
  Tensor rows = weight.index_select(0, flat);
  if (padding) {
    // Padding entries pass no gradient to weight: their rows are masked
    // out, and a nonzero padding row (from_pretrained, or set by hand) is
    // added back as a copy with no path to weight. (Traced graphs have no
    // stop-gradient op, so detach() alone would not do.)
    Tensor isPadding = flat.eq(*padding).unsqueeze(1).to(weight.dtype());
    rows = rows * (1.0 - isPadding);
    Tensor padRow;
    bool padRowIsZero;
    {
      TraceHookGuard untraced(nullptr);
      NoGradGuard noGrad;
      padRow = weight.select(0, *padding).clone();
      padRowIsZero = !padRow.ne(0).any().item<bool>();
    }
    if (!padRowIsZero)
      rows = rows + isPadding * padRow;
  }
  IntList shape = input.sizes();
  shape.push_back(weight.size(1));
  return rows.reshape(shape);
}

} // namespace functional

EmbeddingImpl::EmbeddingImpl(const EmbeddingOptions &options)
    : Module("Embedding"), options(options) {
  int64_t num = options.num_embeddings(), dim = options.embedding_dim();
  if (num < 0 || dim < 0)
    throw Error("Embedding: num_embeddings and embedding_dim must be >= 0, "
                "got " +
                std::to_string(num) + " and " + std::to_string(dim));
  this->options.padding_idx(
      normalizePaddingIdx("Embedding", options.padding_idx(), num));
  if (options._weight().defined()) {
    if (options._weight().sizes() != IntList{num, dim})
      throw Error("Embedding: _weight must have shape " +
                  shapeToString({num, dim}) + ", got " +
                  shapeToString(options._weight().sizes()));
    weight = register_parameter("weight", options._weight());
  } else {
    weight = register_parameter("weight", empty({num, dim}));
    reset_parameters();
  }
}

void EmbeddingImpl::reset_parameters() {
  NoGradGuard noGrad;
  weight.copy_(randn(weight.sizes(), weight.dtype()));
  if (options.padding_idx())
    weight.select(0, *options.padding_idx()).zero_();
}

Tensor EmbeddingImpl::forward(const Tensor &input) {
  return functional::embedding(
      input, weight,
      functional::EmbeddingFuncOptions().padding_idx(options.padding_idx()));
}

Embedding
Embedding::from_pretrained(const Tensor &embeddings,
                           const EmbeddingFromPretrainedOptions &options) {
  if (embeddings.dim() != 2)
    throw Error("Embedding::from_pretrained: embeddings must be 2-D, got "
                "shape " +
                shapeToString(embeddings.sizes()));
  Embedding embedding(EmbeddingOptions(embeddings.size(0), embeddings.size(1))
                          .padding_idx(options.padding_idx())
                          ._weight(embeddings.detach().clone()));
  embedding->weight.requires_grad_(!options.freeze());
  return embedding;
}

} // namespace nnc::nn
