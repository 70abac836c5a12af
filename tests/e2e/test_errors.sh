#!/bin/sh
# Bad inputs: each must exit 1 with a message naming the file/row/key, and leave no output.
set -e
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib/expect.sh"
D=$(pwd)/test-data
sed 's/conv_layers:/conv_layer:/' $D/config.yaml > "$T/misspelled.yaml"
expect misspelled 1 "misspelled.yaml:6:7: input_features[0].encoder.conv_layer: unknown key 'conv_layer'; did you mean 'conv_layers'?" -- \
    --config "$T/misspelled.yaml" --dataset $D/mnist_dataset.csv --raw_data $D/mnist_images.zip
sed 's/epochs: 5/epochs: -2/' $D/config.yaml > "$T/negative.yaml"
expect negative_epochs 1 "trainer.epochs: must be >= 1, got -2" -- \
    --config "$T/negative.yaml" --dataset $D/mnist_dataset.csv --raw_data $D/mnist_images.zip
sed 's/dropout: 0.4/dropout: 1.5/' $D/config.yaml > "$T/dropout.yaml"
expect dropout_range 1 "dropout: must be in [0, 1], got 1.5" -- \
    --config "$T/dropout.yaml" --dataset $D/mnist_dataset.csv --raw_data $D/mnist_images.zip
sed 's/image_path,label,split/picture,label,split/' $D/mnist_dataset.csv > "$T/nocol.csv"
expect missing_column 1 "nocol.csv: no column 'image_path' (the image input feature); the columns are 'picture', 'label', 'split'" -- \
    --config $D/config.yaml --dataset "$T/nocol.csv" --raw_data $D/mnist_images.zip
{ head -5 $D/mnist_dataset.csv; echo "training/3/99999.png,3,0"; } > "$T/absent.csv"
expect absent_image 1 "absent.csv line 6: image 'training/3/99999.png' not found in" -- \
    --config $D/config.yaml --dataset "$T/absent.csv" --raw_data $D/mnist_images.zip
printf 'input_features: [\n' > "$T/broken.yaml"
expect malformed_yaml 1 "broken.yaml:2:1: invalid YAML" -- \
    --config "$T/broken.yaml" --dataset $D/mnist_dataset.csv --raw_data $D/mnist_images.zip
printf 'input_features:\n  - {name: image_path, type: image}\n' > "$T/noout.yaml"
expect no_output_feature 1 "output_features: the config needs a non-empty list of output features" -- \
    --config "$T/noout.yaml" --dataset $D/mnist_dataset.csv --raw_data $D/mnist_images.zip
expect h5_refused 1 "HDF5" -- \
    --config $D/config.yaml --dataset $D/mnist_dataset.csv --data_format h5
expect no_config 2 "--config is required" -- --dataset $D/mnist_dataset.csv
# config compatibility: what ludwig-c does not do is refused by name, never silently ignored
TB=$(pwd)/test-data/tabular
printf 'model_type: gbm\ninput_features: [{name: mean_radius, type: number}]\noutput_features: [{name: diagnosis, type: binary}]\n' > "$T/gbm.yaml"
expect model_type_gbm 1 "gbm.yaml:1:13: model_type: gbm (LightGBM trees) is not supported by ludwig-c" -- \
    --config "$T/gbm.yaml" --dataset $TB/breast_cancer.csv
printf 'model_type: llm\nbase_model: facebook/opt-350m\ninput_features: [{name: q, type: text}]\noutput_features: [{name: a, type: text}]\n' > "$T/llm.yaml"
expect model_type_llm 1 "llm.yaml:1:13: model_type: llm (fine-tuning a pretrained language model) is not supported" -- \
    --config "$T/llm.yaml" --dataset $TB/breast_cancer.csv
printf 'model_type: foo\ninput_features: [{name: mean_radius, type: number}]\noutput_features: [{name: diagnosis, type: binary}]\n' > "$T/foo.yaml"
expect model_type_foo 1 "model_type: 'foo' is not a Ludwig model type" -- \
    --config "$T/foo.yaml" --dataset $TB/breast_cancer.csv
printf 'backend: {type: ray}\ninput_features: [{name: mean_radius, type: number}]\noutput_features: [{name: diagnosis, type: binary}]\n' > "$T/ray.yaml"
expect backend_ray 1 "ray.yaml:1:17: backend: type 'ray' is not supported by ludwig-c" -- \
    --config "$T/ray.yaml" --dataset $TB/breast_cancer.csv
printf 'input_features:\n  - name: image_path\n    type: image\n    augmentation:\n      - {type: auto_augmentation, method: augmix}\noutput_features: [{name: label, type: category}]\n' > "$T/aug.yaml"
expect augmentation 1 "aug.yaml:5:43: auto_augmentation: method 'augmix' is not one of trivial_augment, auto_augment, rand_augment" -- \
    --config "$T/aug.yaml" --dataset $D/mnist_dataset.csv --raw_data $D/mnist_images.zip
printf 'input_features: [{name: mean_radius, type: number, encoder: {type: dense, norm: ghost}}]\noutput_features: [{name: diagnosis, type: binary}]\n' > "$T/ghost.yaml"
expect norm_ghost 1 "norm 'ghost' is not supported by ludwig-c yet (supported: batch, layer)" -- \
    --config "$T/ghost.yaml" --dataset $TB/breast_cancer.csv
printf 'input_features: [{name: mean_radius, type: number, encoder: {type: sparse}}]\noutput_features: [{name: diagnosis, type: binary}]\n' > "$T/badenc.yaml"
expect number_encoder 1 "badenc.yaml" -- \
    --config "$T/badenc.yaml" --dataset $TB/breast_cancer.csv
printf 'input_features: [{name: mean_radius, type: number}]\noutput_features: [{name: diagnosis, type: binary}]\ntrainer: {validation_metric: r2}\n' > "$T/badmetric.yaml"
expect validation_metric 1 "trainer.validation_metric: 'r2' is not a metric of 'diagnosis' (choose from: accuracy, loss, precision, recall, roc_auc, specificity)" -- \
    --config "$T/badmetric.yaml" --dataset $TB/breast_cancer.csv
printf 'input_features: [{name: mean_radius, type: number}]\noutput_features: [{name: mean_radius, type: number}]\n' > "$T/dupname.yaml"
expect duplicate_name 1 "output_features[0]: the name 'mean_radius' is already used by another feature" -- \
    --config "$T/dupname.yaml" --dataset $TB/breast_cancer.csv
# integers beyond what the model holds are refused, never wrapped (issue 18: epochs 1e10 trained 0
# epochs, batch_size 3e9 became the default)
printf 'input_features: [{name: mean_radius, type: number}]\noutput_features: [{name: diagnosis, type: binary, preprocessing: {fallback_true_label: malignant}}]\ntrainer: {epochs: 10000000000}\n' > "$T/bigint.yaml"
expect int_overflow 1 "bigint.yaml:3:19: trainer.epochs: 10000000000 is out of range (an integer from -2147483648 to 2147483647)" -- \
    --config "$T/bigint.yaml" --dataset $TB/breast_cancer.csv
sed 's/epochs: 10000000000/batch_size: 3000000000/' "$T/bigint.yaml" > "$T/bigbatch.yaml"
expect batch_overflow 1 "trainer.batch_size: 3000000000 is out of range" -- \
    --config "$T/bigbatch.yaml" --dataset $TB/breast_cancer.csv
# YAML 1.1 integers as PyYAML (Ludwig's loader) reads them: 010 is octal 8, 0x3 is 3; 08 is no integer
LC=${LUDWIG_C:-build/ludwig-c}
sed 's/epochs: 10000000000/epochs: 010/' "$T/bigint.yaml" > "$T/octal.yaml"
"$LC" experiment --config "$T/octal.yaml" --dataset $TB/breast_cancer.csv --output_directory "$T/oct" > "$T/oct.log" 2>&1 &&
    grep -q "batch size [0-9]*, 8 epoch(s)" "$T/oct.log" || { echo "FAIL: epochs: 010 is not octal 8"; fails=$((fails + 1)); }
sed 's/epochs: 10000000000/epochs: 08/' "$T/bigint.yaml" > "$T/notoct.yaml"
expect not_octal 1 "trainer.epochs: expected an integer, got '08'" -- \
    --config "$T/notoct.yaml" --dataset $TB/breast_cancer.csv
# the default thread count follows the CPU affinity (taskset, a batch system's binding)
if command -v taskset >/dev/null 2>&1; then
    taskset -c 0 "$LC" experiment --config "$T/octal.yaml" --dataset $TB/breast_cancer.csv --output_directory "$T/aff" > "$T/aff.log" 2>&1 &&
        grep -q ": 1 thread(s), random seed" "$T/aff.log" || { echo "FAIL: taskset -c 0 did not give 1 thread"; fails=$((fails + 1)); }
fi
[ $fails -eq 0 ] && echo "test_errors: ok"
exit $fails
