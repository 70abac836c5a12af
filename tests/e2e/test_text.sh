#!/bin/sh
# Text inputs on real text: the fortune cookies of Debian's `fortunes` package, labelled by their
# file (computers, politics, science, startrek; bench/text/make_fortunes.py, 2,606 rows, a fixed
# split). Checked:
#  - the embed encoder reaches TF-IDF + logistic regression's test accuracy (bench/text/baselines.json)
#    within 5 points, and the accuracy recomputed from predictions_parquet.csv is the statistics';
#  - the metadata entry has exactly Ludwig's keys, the special symbols first; the rendered encoder
#    carries what update_config_with_metadata sets;
#  - the saved model travels (predict and evaluate reproduce the experiment's files);
#  - the rnn encoder (an LSTM over the embeddings) trains, its tensors named as Ludwig's, also
#    with reduce_output: attention (read back by predict);
#  - pretrained_embeddings from a small GloVe file: its vectors, the average for other words;
#    a line of the wrong length and a missing file refused;
#  - Ludwig's default encoder, parallel_cnn, trains with its tensors named as Ludwig's; so does
#    stacked_parallel_cnn with stacked_layers given as a list of lists, a batch norm and pooling;
#  - the transformer encoder trains (2 blocks), its tensors named as Ludwig's, read back by predict;
#  - an encoder not built (bert), heads that do not divide hidden_size and text outputs are
#    refused with a message and no output.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
PY=/usr/bin/python3
. tests/e2e/lib/expect.sh
fail() { echo "FAIL text: $*"; fails=$((fails + 1)); }

$PY bench/text/make_fortunes.py "$T/fortunes.csv"
cat >"$T/embed.yaml" <<'EOF'
input_features:
  - name: text
    type: text
    encoder: {type: embed, embedding_size: 64, reduce_output: mean}
output_features:
  - name: category
    type: category
preprocessing:
  split: {type: fixed, column: split}
trainer: {epochs: 30, learning_rate: 0.01}
EOF
"$LUDWIG_C" experiment --config "$T/embed.yaml" --dataset "$T/fortunes.csv" --output_directory "$T/emb" \
    --random_seed 42 --threads 2 >"$T/emb.log" 2>&1 || { fail "embed experiment"; cat "$T/emb.log"; }
R="$T/emb/experiment_run"
# the report's view of the text input: its most frequent tokens and tokens per row
$PY - "$T/emb/ludwig_experiment_report.html" "$R/model/training_set_metadata.json" <<'PYEOF' || fails=$((fails + 1))
import html, json, re, sys
page = open(sys.argv[1]).read()
meta = json.load(open(sys.argv[2]))["text"]
top = sorted((c, -i, t) for i, (t, c) in enumerate(meta["str2freq"].items())
             if t not in ("<EOS>", "<SOS>", "<PAD>", "<UNK>"))[::-1][:20]
i = page.index('class="tokens"')
rows = re.findall(r'<tr>\s*<td align="right">(\d+)</td>\s*<td>([^<]*)</td>\s*<td align="right">(\d+)</td>\s*</tr>', page[i:])
got = [(html.unescape(t), int(c)) for _, t, c in rows][:20]
want = [(t, c) for c, _, t in top]
assert "token_frequency__text" in page and "sequence_length__text" in page, "no inputs view"
assert got == want, (got[:5], want[:5])
print("text: the report lists the 20 most frequent tokens (%s, ...) and the tokens per row" % ", ".join(t for t, _ in want[:3]))
PYEOF
$PY - "$R" "$T/fortunes.csv" bench/text/baselines.json <<'PYEOF' || fails=$((fails + 1))
import csv, json, sys
run, data, base = sys.argv[1:4]
bad = []
stats = json.load(open(run + "/test_statistics.json"))["category"]
rows = [r for r in csv.DictReader(open(data, newline="")) if r["split"] == "2"]
pred = list(csv.DictReader(open(run + "/predictions_parquet.csv", newline="")))
if len(pred) != len(rows):
    bad.append("%d predictions for %d test rows" % (len(pred), len(rows)))
acc = sum(p["category_predictions"] == r["category"] for p, r in zip(pred, rows)) / len(rows)
if abs(acc - stats["accuracy_micro"]) > 1e-6:
    bad.append("accuracy from the predictions %.6f, accuracy_micro %.6f" % (acc, stats["accuracy_micro"]))
ref = json.load(open(base))["tfidf_logreg_test_accuracy"]
print("text: embed encoder test accuracy %.4f; TF-IDF + logistic regression %.4f" % (acc, ref))
if acc < ref - 0.05:
    bad.append("test accuracy %.4f is more than 5 points below TF-IDF + logistic regression's %.4f" % (acc, ref))
meta = json.load(open(run + "/model/training_set_metadata.json"))["text"]
want = {"idx2str", "str2idx", "str2freq", "str2idf", "vocab_size", "max_sequence_length",
        "max_sequence_length_99ptile", "pad_idx", "padding_symbol", "unknown_symbol",
        "prompt_template_num_tokens", "preprocessing"}
if set(meta) != want:
    bad.append("metadata keys %s" % sorted(set(meta) ^ want))
if meta["idx2str"][:4] != ["<EOS>", "<SOS>", "<PAD>", "<UNK>"] or meta["pad_idx"] != 2:
    bad.append("special symbols %s" % meta["idx2str"][:4])
if meta["vocab_size"] != len(meta["idx2str"]) or meta["max_sequence_length"] > 256:
    bad.append("vocab_size / max_sequence_length")
enc = json.load(open(run + "/model/model_hyperparameters.json"))["input_features"][0]["encoder"]
if enc.get("vocab") != meta["idx2str"] or enc.get("vocab_size") != meta["vocab_size"] or \
        enc.get("max_sequence_length") != meta["max_sequence_length"] or enc.get("pad_idx") != 2:
    bad.append("the rendered encoder does not carry the metadata")
for b in bad:
    print("FAIL text:", b)
sys.exit(1 if bad else 0)
PYEOF
"$LUDWIG_C" evaluate --model_path "$R/model" --dataset "$T/fortunes.csv" --split test \
    --output_directory "$T/ev" >"$T/ev.log" 2>&1 || { fail "evaluate"; cat "$T/ev.log"; }
cmp -s "$T/ev/test_statistics.json" "$R/test_statistics.json" || fail "evaluate differs from the experiment"
"$LUDWIG_C" predict --model_path "$R/model" --dataset "$T/fortunes.csv" --split test \
    --output_directory "$T/pr" >"$T/pr.log" 2>&1 || { fail "predict"; cat "$T/pr.log"; }
cmp -s "$T/pr/predictions_parquet.csv" "$R/predictions_parquet.csv" || fail "predict differs from the experiment"

# the rnn encoder: embeddings, an LSTM, the last step
awk "NR == 1 || NR % 6 == 0" "$T/fortunes.csv" >"$T/small.csv" # every 6th cookie, all categories
cat >"$T/rnn.yaml" <<'EOF'
input_features:
  - name: text
    type: text
    preprocessing: {max_sequence_length: 40, lowercase: true}
    encoder: {type: rnn, cell_type: lstm, embedding_size: 16, state_size: 16, dropout: 0.1}
output_features:
  - name: category
    type: category
preprocessing:
  split: {type: fixed, column: split}
trainer: {epochs: 2}
EOF
"$LUDWIG_C" experiment --config "$T/rnn.yaml" --dataset "$T/small.csv" --output_directory "$T/rnn" \
    --random_seed 1 --threads 2 >"$T/rnn.log" 2>&1 || { fail "rnn experiment"; cat "$T/rnn.log"; }
for tensor in encoder_obj.embed_sequence.embeddings.weight encoder_obj.recurrent_stack.layers.weight_hh_l0; do
    grep -q "text__ludwig.$tensor" "$T/rnn/experiment_run/model/model_weights" || fail "no tensor $tensor"
done
# the same with reduce_output: attention (its fc_layer1 and fc_layer2 saved as Ludwig names them),
# and its model read back by predict
sed 's/dropout: 0.1}/dropout: 0.1, reduce_output: attention}/' "$T/rnn.yaml" >"$T/attn.yaml"
"$LUDWIG_C" experiment --config "$T/attn.yaml" --dataset "$T/small.csv" --output_directory "$T/attn" \
    --random_seed 1 --threads 2 >"$T/attn.log" 2>&1 || { fail "attention experiment"; cat "$T/attn.log"; }
for tensor in reduce_sequence._reduce_obj.fc_layer1.weight reduce_sequence._reduce_obj.fc_layer2.weight; do
    grep -q "text__ludwig.encoder_obj.$tensor" "$T/attn/experiment_run/model/model_weights" || fail "no tensor $tensor"
done
"$LUDWIG_C" predict --model_path "$T/attn/experiment_run/model" --dataset "$T/small.csv" --split test \
    --output_directory "$T/attnp" >"$T/attnp.log" 2>&1 || { fail "predict with attention"; cat "$T/attnp.log"; }
cmp -s "$T/attnp/predictions_parquet.csv" "$T/attn/experiment_run/predictions_parquet.csv" ||
    fail "predict's predictions with attention differ from the experiment's"

# parallel_cnn with reduce_output: attention, over its layers' outputs concatenated per step (as
# ParallelConv1D's torch.cat, then the SequenceReducer), read back by predict
cat >"$T/pcattn.yaml" <<'EOF'
input_features:
  - name: text
    type: text
    preprocessing: {max_sequence_length: 32}
    encoder: {type: parallel_cnn, embedding_size: 16, num_filters: 8, reduce_output: attention, output_size: 16, num_fc_layers: 1}
output_features: [{name: category, type: category}]
preprocessing: {split: {type: fixed, column: split}}
trainer: {epochs: 2}
EOF
"$LUDWIG_C" experiment --config "$T/pcattn.yaml" --dataset "$T/small.csv" --output_directory "$T/pcattn" \
    --random_seed 1 --threads 2 >"$T/pcattn.log" 2>&1 || { fail "parallel_cnn with attention"; cat "$T/pcattn.log"; }
"$LUDWIG_C" predict --model_path "$T/pcattn/experiment_run/model" --dataset "$T/small.csv" --split test \
    --output_directory "$T/pcattnp" >"$T/pcattnp.log" 2>&1 || { fail "predict (parallel_cnn, attention)"; cat "$T/pcattnp.log"; }
cmp -s "$T/pcattnp/predictions_parquet.csv" "$T/pcattn/experiment_run/predictions_parquet.csv" ||
    fail "predict's predictions (parallel_cnn, attention) differ from the experiment's"
$PY - "$T/pcattn/experiment_run/model/model_weights" <<'PYEOF' || fails=$((fails + 1))
import sys
sys.path.insert(0, "tests/e2e/lib")
from weights import tensors
w = tensors(sys.argv[1])
shape, _ = w["input_features.module_dict.text__ludwig.encoder_obj.reduce_sequence._reduce_obj.fc_layer1.weight"]
assert shape == (256, 32), shape  # over the 4 layers' 8 filters concatenated per step
print("text: parallel_cnn with reduce_output attention over the concatenated steps: fc_layer1", shape)
PYEOF

# stacked_parallel_cnn with stacked_layers written as Ludwig's docs write them (a list of lists)
cat >"$T/spcnn.yaml" <<'EOF'
input_features:
  - name: text
    type: text
    preprocessing: {max_sequence_length: 40}
    encoder:
      type: stacked_parallel_cnn
      embedding_size: 16
      num_filters: 8
      pool_size: 3
      stacked_layers:
        - [{filter_size: 2, norm: batch}, {filter_size: 3}]
        - [{filter_size: 3, num_filters: 4}]
output_features:
  - name: category
    type: category
preprocessing:
  split: {type: fixed, column: split}
trainer: {epochs: 2}
EOF
"$LUDWIG_C" experiment --config "$T/spcnn.yaml" --dataset "$T/small.csv" --output_directory "$T/spcnn" \
    --random_seed 1 --threads 2 >"$T/spcnn.log" 2>&1 || { fail "stacked_parallel_cnn experiment"; cat "$T/spcnn.log"; }
for tensor in stack.0.parallel_layers.1.layers.0.weight stack.1.parallel_layers.0.layers.0.weight \
    stack.0.parallel_layers.0.layers.1.running_var; do
    grep -q "text__ludwig.encoder_obj.parallel_conv1d_stack.$tensor" "$T/spcnn/experiment_run/model/model_weights" ||
        fail "no tensor parallel_conv1d_stack.$tensor"
done
# the batch norm's running stats and the last stack's pooling (the encoder's pool_size) travel
"$LUDWIG_C" predict --model_path "$T/spcnn/experiment_run/model" --dataset "$T/small.csv" --split test \
    --output_directory "$T/spcnnp" >"$T/spcnnp.log" 2>&1 || { fail "stacked_parallel_cnn predict"; cat "$T/spcnnp.log"; }
cmp -s "$T/spcnnp/predictions_parquet.csv" "$T/spcnn/experiment_run/predictions_parquet.csv" ||
    fail "predict's predictions with stacked_parallel_cnn differ from the experiment's"
# a stack whose layers pool to different lengths cannot be concatenated per step
sed 's/- \[{filter_size: 2, norm: batch}, {filter_size: 3}\]/- [{filter_size: 2, pool_size: 2}, {filter_size: 3}]/' "$T/spcnn.yaml" >"$T/spcnn_bad.yaml"
expect spcnnlen 1 "stacked_parallel_cnn: the layers of stacked_layers[0] give 20 and 40 steps after their pooling" -- \
    --config "$T/spcnn_bad.yaml" --dataset "$T/small.csv"

# pretrained_embeddings: a small GloVe file this test writes (3 values per word); frozen, so the
# saved matrix holds the file's vectors for its words and their average (+- 0.01) for the rest
cat >"$T/glove.txt" <<'EOF'
the 0.5 -0.25 1
computer 1.5 2 -3
space 0 0.125 0.75
EOF
cat >"$T/glove.yaml" <<EOF
input_features:
  - name: text
    type: text
    encoder: {type: embed, pretrained_embeddings: $T/glove.txt, embeddings_trainable: false}
output_features:
  - name: category
    type: category
preprocessing:
  split: {type: fixed, column: split}
trainer: {epochs: 2}
EOF
"$LUDWIG_C" experiment --config "$T/glove.yaml" --dataset "$T/small.csv" --output_directory "$T/glove" \
    --random_seed 1 --threads 2 >"$T/glove.log" 2>&1 || { fail "pretrained_embeddings"; cat "$T/glove.log"; }
# frozen, so the saved matrix holds the file's vectors (and the average +- 0.01 for other words)
glove_check() { # model_dir feature tensor_suffix
    $PY - "$1" "$2" "$3" <<'PYEOF'
import json, sys
sys.path.insert(0, "tests/e2e/lib")
from weights import tensors
model, feat, suffix = sys.argv[1:4]
meta = json.load(open(model + "/training_set_metadata.json"))[feat]
found = [v for k, v in tensors(model + "/model_weights").items() if k.endswith(suffix)]
assert len(found) == 1, "no tensor *%s" % suffix
wshape, w = found[0]
assert wshape == (len(meta["idx2str"]), 3), "embedding shape %s" % (wshape,)
vec = {"the": (0.5, -0.25, 1.0), "computer": (1.5, 2.0, -3.0), "space": (0.0, 0.125, 0.75)}
avg = [sum(v[j] for v in vec.values()) / 3 for j in range(3)]
for i, word in enumerate(meta["idx2str"]):
    row = w[3 * i:3 * i + 3]
    if word in vec:
        assert tuple(row) == vec[word], (word, row)
    else:
        assert all(abs(row[j] - avg[j]) <= 0.01 + 1e-6 for j in range(3)), (word, row, avg)
print("%s: pretrained_embeddings into %s: %d rows, the file's 3 words exact, the rest their average +- 0.01"
      % (feat, suffix, len(meta["idx2str"])))
PYEOF
}
glove_check "$T/glove/experiment_run/model" text embed_sequence.embeddings.weight || fails=$((fails + 1))
# the same into a transformer's token embeddings (its position embeddings take the file's size)
sed 's/encoder: {type: embed, /encoder: {type: transformer, hidden_size: 4, num_heads: 2, transformer_output_size: 4, /' \
    "$T/glove.yaml" >"$T/glove_tf.yaml"
"$LUDWIG_C" experiment --config "$T/glove_tf.yaml" --dataset "$T/small.csv" --output_directory "$T/glove_tf" \
    --random_seed 1 --threads 2 >"$T/glove_tf.log" 2>&1 || { fail "pretrained_embeddings (transformer)"; cat "$T/glove_tf.log"; }
glove_check "$T/glove_tf/experiment_run/model" text embed_sequence.token_embed.embeddings.weight || fails=$((fails + 1))
"$LUDWIG_C" predict --model_path "$T/glove/experiment_run/model" --dataset "$T/small.csv" \
    --output_directory "$T/glovep" >"$T/glovep.log" 2>&1 || { fail "predict with pretrained_embeddings"; cat "$T/glovep.log"; }
printf 'the 0.5 -0.25 1\ncomputer 1.5 2\n' >"$T/bad_glove.txt"
sed "s|$T/glove.txt|$T/bad_glove.txt|" "$T/glove.yaml" >"$T/bad_glove.yaml"
expect glove_dim 1 "bad_glove.txt: line 2 has 2 numbers, the first line 3" -- \
    --config "$T/bad_glove.yaml" --dataset "$T/small.csv"
sed "s|$T/glove.txt|$T/no_such_glove.txt|" "$T/glove.yaml" >"$T/no_glove.yaml"
expect glove_missing 1 "no_such_glove.txt: cannot open it" -- \
    --config "$T/no_glove.yaml" --dataset "$T/small.csv"

# Ludwig's default text encoder, parallel_cnn (four conv layers of widths 2-5, 256 filters each,
# fc 512 -> 256), its tensors named as Ludwig's
cat >"$T/default.yaml" <<'EOF'
input_features: [{name: text, type: text, preprocessing: {max_sequence_length: 32}}]
output_features: [{name: category, type: category}]
preprocessing: {split: {type: fixed, column: split}}
trainer: {epochs: 1}
EOF
"$LUDWIG_C" experiment --config "$T/default.yaml" --dataset "$T/small.csv" --output_directory "$T/pcnn" \
    --random_seed 1 --threads 2 >"$T/pcnn.log" 2>&1 || { fail "parallel_cnn (the default encoder)"; cat "$T/pcnn.log"; }
for tensor in parallel_conv1d.parallel_layers.3.layers.0.weight fc_stack.stack.1.layers.0.bias; do
    grep -q "text__ludwig.encoder_obj.$tensor" "$T/pcnn/experiment_run/model/model_weights" || fail "no tensor $tensor"
done
grep -q '"type": "parallel_cnn"' "$T/pcnn/experiment_run/model/model_hyperparameters.json" ||
    fail "the rendered encoder is not parallel_cnn"
# its conv layers run per distinct token of the batch (lc_tokconv.h): bitwise the same on one
# thread, and the same model as the per-position convolution (LC_TOKCONV=0) up to rounding
"$LUDWIG_C" experiment --config "$T/default.yaml" --dataset "$T/small.csv" --output_directory "$T/pcnn1" \
    --random_seed 1 --threads 1 >"$T/pcnn1.log" 2>&1 || { fail "parallel_cnn on one thread"; cat "$T/pcnn1.log"; }
cmp -s "$T/pcnn/experiment_run/model/model_weights" "$T/pcnn1/experiment_run/model/model_weights" ||
    fail "parallel_cnn: the weights trained on 1 and 2 threads differ"
LC_TOKCONV=0 "$LUDWIG_C" experiment --config "$T/default.yaml" --dataset "$T/small.csv" --output_directory "$T/pcnnpos" \
    --random_seed 1 --threads 2 >"$T/pcnnpos.log" 2>&1 || { fail "parallel_cnn per position"; cat "$T/pcnnpos.log"; }
$PY - "$T/pcnn/experiment_run" "$T/pcnnpos/experiment_run" <<'PYEOF' || fails=$((fails + 1))
import json, sys
a, b = (json.load(open(d + "/test_statistics.json"))["category"]["loss"] for d in sys.argv[1:])
print("text: parallel_cnn test loss per distinct token %.6f, per position %.6f" % (a, b))
assert abs(a - b) <= 1e-4 * abs(b), (a, b)
PYEOF
# the transformer encoder (Ludwig's StackedTransformer), small, read back by predict
sed 's/max_sequence_length: 32}/max_sequence_length: 32}, encoder: {type: transformer, embedding_size: 16, hidden_size: 16, num_heads: 2, transformer_output_size: 16, num_layers: 2}/' \
    "$T/default.yaml" >"$T/tf.yaml"
"$LUDWIG_C" experiment --config "$T/tf.yaml" --dataset "$T/small.csv" --output_directory "$T/tf" \
    --random_seed 1 --threads 2 >"$T/tf.log" 2>&1 || { fail "transformer experiment"; cat "$T/tf.log"; }
for tensor in embed_sequence.token_embed.embeddings.weight embed_sequence.position_embed.weight \
    transformer_stack.layers.1.self_attention.combine_heads.weight transformer_stack.layers.0.layernorm2.bias; do
    grep -q "text__ludwig.encoder_obj.$tensor" "$T/tf/experiment_run/model/model_weights" || fail "no tensor $tensor"
done
"$LUDWIG_C" predict --model_path "$T/tf/experiment_run/model" --dataset "$T/small.csv" --split test \
    --output_directory "$T/tfp" >"$T/tfp.log" 2>&1 || { fail "predict with the transformer"; cat "$T/tfp.log"; }
cmp -s "$T/tfp/predictions_parquet.csv" "$T/tf/experiment_run/predictions_parquet.csv" ||
    fail "predict's predictions with the transformer differ from the experiment's"
sed 's/max_sequence_length: 32}/max_sequence_length: 32}, encoder: {type: transformer, hidden_size: 10, num_heads: 4}/' \
    "$T/default.yaml" >"$T/tfh.yaml"
expect heads 1 "hidden_size must be divisible by num_heads" -- --config "$T/tfh.yaml" --dataset "$T/small.csv"
sed 's/max_sequence_length: 32}/max_sequence_length: 32}, encoder: bert/' "$T/default.yaml" >"$T/bert.yaml"
expect bert 1 "text encoder 'bert' is not supported by ludwig-c yet (supported: parallel_cnn, stacked_cnn, stacked_parallel_cnn, rnn, cnnrnn, transformer, embed)" -- \
    --config "$T/bert.yaml" --dataset "$T/small.csv"
cat >"$T/out.yaml" <<'EOF'
input_features: [{name: category, type: category}]
output_features: [{name: text, type: text}]
EOF
expect output 1 "output feature type 'text' is not supported by ludwig-c yet" -- \
    --config "$T/out.yaml" --dataset "$T/small.csv"

[ $fails -eq 0 ] && echo "text: ok"
exit $fails
