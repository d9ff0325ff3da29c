// Package hf reads and writes Hugging Face BERT checkpoints, so encoders pre-trained
// elsewhere can be fine-tuned here and encoders trained here can be taken to Python.
//
// Open reads a local folder — config.json, model.safetensors (or a sharded
// model.safetensors.index.json) and vocab.txt or tokenizer.json — in the layouts people
// have: BertModel names (embeddings.word_embeddings.weight,
// encoder.layer.N.attention.self.query.weight, …), the same under a "bert." prefix
// (BertForMaskedLM, BertForPreTraining, BertForSequenceClassification, … whose task heads
// are ignored and reported), sentence-transformers folders (modules.json pointing at the
// Transformer module, at the root or in 0_Transformer/, pooling from its Pooling module),
// and the old LayerNorm.gamma/beta names. F32, F16, BF16 and F64 tensors are read.
// hidden_act "gelu" is the exact erf GELU, "gelu_new"/"gelu_pytorch_tanh" the tanh form;
// layer_norm_eps is honoured. Anything else — another model_type, another activation or
// position embedding type, a missing, misshapen or unknown tensor, a pooling other than
// CLS or mean — is an error naming the config field, file or tensor.
//
// Mapping onto engine/nn: nn.Linear stores weights out×in (y = x·Wᵀ + b), engine/nn in×out
// (y = x·W + b), so every Linear weight is transposed. The pooler (pooler.dense) is not
// part of BertModel's last hidden states and is ignored (reported). Token-type embeddings:
// a bi-encoder feeds every token type 0, as BertModel does by default, so row 0 of
// token_type_embeddings is added into every position embedding (exact: the embedding sum is
// word + position + type₀) and the other rows are dropped (reported); Export writes
// type_vocab_size 2 with zero rows. Positions are absolute, 0 … len−1 per sequence; a
// sequence's mean pooling averages all its tokens ([CLS] and [SEP] included), as
// sentence-transformers' mean over the attention mask.
//
// Export writes a lab model back in BertModel layout (see export.go).
package hf
