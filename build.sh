#!/usr/bin/env bash
# Bootstrap: restore the pinned tools (.config/dotnet-tools.json), then run build/build.cake.
# Usage: ./build.sh [--target=Build|Test|Pack|PublishAot|Clean] [--configuration=Release]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
dotnet tool restore
dotnet tool run dotnet-cake build/build.cake "$@"
