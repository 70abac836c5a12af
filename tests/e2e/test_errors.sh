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
[ $fails -eq 0 ] && echo "test_errors: ok"
exit $fails
