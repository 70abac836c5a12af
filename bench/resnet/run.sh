#!/bin/sh
# resnet18 (issue 16) against PyTorch + torchvision on the same cores: training samples/s from
# scratch and with a frozen backbone (trainable: false), and inference samples/s, batch 16,
# 224x224 images (test-data's 120 MNIST digits through torchvision's transform), THREADS threads.
# ludwig-c's figures are its own per-epoch and evaluation lines (2 epochs over 84 rows, the second
# counted: its training time, without the evaluation of the splits after it); PyTorch's are timed
# loops over the same batches (after one warm-up batch).
# Usage: bench/resnet/run.sh   (THREADS=2; LUDWIG_C=a binary, else build/ludwig-c is built;
#                               PYTHON=the interpreter with torch and torchvision, /usr/bin/python3)
set -e
cd "$(dirname "$0")/../.."
THREADS=${THREADS:-2}
PYTHON=${PYTHON:-/usr/bin/python3}
LUDWIG_C=${LUDWIG_C:-build/ludwig-c}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
[ "$LUDWIG_C" != build/ludwig-c ] || make -s build/ludwig-c
"$PYTHON" - "$T/cache/hub/checkpoints/resnet18-f37072fd.pth" <<'PYEOF'
import os, sys, torch, torchvision
torch.manual_seed(0)
os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)
torch.save(torchvision.models.resnet18(weights=None).state_dict(), sys.argv[1])
PYEOF
for mode in scratch frozen; do
    extra="      use_pretrained: false"
    [ $mode = frozen ] && extra="      use_pretrained: true
      trainable: false"
    printf 'input_features:\n  - name: image_path\n    type: image\n    encoder:\n      type: resnet\n      model_variant: 18\n%s\noutput_features:\n  - name: label\n    type: category\ntrainer:\n  epochs: 2\n  batch_size: 16\n  eval_batch_size: 16\n' "$extra" > "$T/$mode.yaml"
    TORCH_HOME="$T/cache" "$LUDWIG_C" experiment --config "$T/$mode.yaml" --dataset test-data/mnist_subset.csv \
        --raw_data test-data/mnist_subset.zip --output_directory "$T/o-$mode" --threads "$THREADS" > "$T/$mode.log" 2>&1
    tr=$(sed -n 's/^epoch 2\/2 .*(training [0-9.]*s, \([0-9.]*\) samples\/s).*/\1/p' "$T/$mode.log")
    ev=$(sed -n 's/.*evaluation [0-9.]*s, \([0-9.]*\) samples\/s).*/\1/p' "$T/$mode.log")
    echo "ludwig-c $mode: training $tr samples/s, evaluation $ev samples/s"
done
bench/torch_run.sh "$PYTHON" - "$THREADS" <<'PYEOF'
import sys, time, torch, torchvision
torch.set_num_threads(int(sys.argv[1]))
torch.manual_seed(0)
x = torch.randn(16, 3, 224, 224)
y = torch.randint(0, 10, (16,))
def train(frozen, steps=5):
    m = torchvision.models.resnet18(weights=None)
    m.fc = torch.nn.Linear(512, 10)
    for n, p in m.named_parameters():
        p.requires_grad_(not frozen or n.startswith("fc."))
    opt = torch.optim.Adam([p for p in m.parameters() if p.requires_grad], lr=1e-3)
    m.train()
    for i in range(steps + 1):
        if i == 1:
            t0 = time.time()
        opt.zero_grad()
        torch.nn.functional.cross_entropy(m(x), y).backward()
        opt.step()
    return 16 * steps / (time.time() - t0)
def infer(steps=5):
    m = torchvision.models.resnet18(weights=None).eval()
    with torch.no_grad():
        for i in range(steps + 1):
            if i == 1:
                t0 = time.time()
            m(x)
    return 16 * steps / (time.time() - t0)
print(f"pytorch scratch: training {train(False):.1f} samples/s")
print(f"pytorch frozen: training {train(True):.1f} samples/s")
print(f"pytorch: inference {infer():.1f} samples/s")
PYEOF
