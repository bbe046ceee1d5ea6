"""scikit-learn references for `npm run bench -- baselines`.

usage: sklearn_baselines.py ridge DATA.csv TRAIN.csv VAL.csv
       sklearn_baselines.py logistic TRAIN.csv VAL.csv
ridge: R^2 of Ridge(alpha=1) on scikit-learn's own 80/20 split of DATA.csv (random_state=1) and on the
engine's split; logistic: accuracy of LogisticRegression on the engine's split. The TRAIN/VAL files
hold the standardised features the networks see, target last.
"""
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import train_test_split


def xy(path):
    d = np.loadtxt(path, delimiter=",", skiprows=1)
    return d[:, :-1], d[:, -1]


if sys.argv[1] == "ridge":
    X, y = xy(sys.argv[2])
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=1)
    sk = Ridge(alpha=1.0).fit(Xtr, ytr).score(Xva, yva)
    Xtr, ytr = xy(sys.argv[3])
    Xva, yva = xy(sys.argv[4])
    ours = Ridge(alpha=1.0).fit(Xtr, ytr).score(Xva, yva)
    print(json.dumps({"sklearn_split": sk, "engine_split": ours}))
else:
    Xtr, ytr = xy(sys.argv[2])
    Xva, yva = xy(sys.argv[3])
    acc = LogisticRegression(max_iter=2000).fit(Xtr, ytr).score(Xva, yva)
    print(json.dumps({"engine_split": acc}))
