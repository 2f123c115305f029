#!/bin/sh
# Writes the seed corpus of both fuzz targets: the lecture note's examples and a spread of the
# grammar (a NUL byte separates the expression from the declarations).
set -eu
cd "$(dirname "$0")"
for t in parse derive_check; do mkdir -p "corpus/$t"; done
i=0
seed() {
    i=$((i + 1))
    for t in parse derive_check; do printf '%b' "$1" > "corpus/$t/seed-$i"; done
}
seed '||A*x - b||^2'
seed 'tr(A*X*B)'
seed 'logdet(X^T X)'
seed "x'*A*x"
seed 'tr(A*X)\0A: 3x4'
seed 'logdet(P)\0P: spd n'
seed "tr(S*X)\0S: symmetric n"
seed 'det(X)'
seed 'tr(inv(X))'
seed 'norm2(X)'
seed '||X||_F^2'
seed 'sum(exp(x))'
seed 'sum(log(x))'
seed 'sum(X .* Y)'
seed 'sum(X ./ Y)'
seed 'sum(X.^2)'
seed 'tr(X^3)'
seed 'sum(relu(A x))'
seed 'sum(abs(x))'
seed 'norm1(x)'
seed 'sum(diag(X))'
seed 'tr(diag(x))'
seed 'alpha*tr(X)'
seed 'a*x.*x\0a: scalar'
seed 'tr(eye(3)*X)'
seed 'sum(vector(2).*x)'
seed 'sum(matrix(1).*X)'
seed 'tanh(a)+sin(b)*cos(c)'
seed 'sqrt(x'"'"'*x)'
seed 'sum(arctan(x))+sum(arcsin(x))'
seed 'AXB'
seed '2x'"'"'A(x+b)'
seed 'tr(X^{-1})'
seed 'tr(X^-1 A)'
seed 'det(tr(X) .* X)'
seed 'logdet(A B C)'
echo "wrote $i seeds"
