@echo off
rem Bootstrap: restore the pinned tools (.config\dotnet-tools.json), then run build\build.cake.
rem Usage: build.cmd [--target=Test] [--configuration=Release]
setlocal
cd /d "%~dp0"
dotnet tool restore
if errorlevel 1 exit /b %errorlevel%
dotnet tool run dotnet-cake build/build.cake %*
exit /b %errorlevel%
