#!/bin/sh
# The tutorial experiment on the bundled MNIST sample: config.yaml + mnist_dataset.csv + the images
# zip, read directly. Results go to demo-out/ (experiment_run/ and ludwig_experiment_report.html).
set -e
EXE=${1:-build/ludwig-c}
rm -rf demo-out
"$EXE" experiment --config test-data/config.yaml --dataset test-data/mnist_dataset.csv \
    --raw_data test-data/mnist_images.zip --output_directory demo-out --random_seed 42
echo "demo: report at demo-out/ludwig_experiment_report.html, results in demo-out/experiment_run/"
