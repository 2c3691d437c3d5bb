; Inno Setup 6 script for Counter Assistant (窗口服务助手). Build: see README.md here.
;   iscc /DAppVersion=0.1.0 packaging\windows\counter-assistant.iss
; Silent deployment with a per-counter config (never prompts, keeps user data):
;   counter-assistant-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /CONFIG="\\share\counters\PJ-03.toml"
; This file is UTF-8 with a BOM (Inno Setup needs the BOM for the Chinese names).

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "窗口服务助手"
#define AppExe "counter-assistant.exe"
#define CliExe "counter-assistant-cli.exe"
#define BundleDir "..\..\dist\counter-assistant"
#define ExampleConfig "..\..\resources\config.example.toml"
#define DataDir "{commonappdata}\CounterAssistant"

[Setup]
AppId={{5B7E2C1A-6F3D-4E8B-9A2C-3D1F0E7B4C65}
AppName={#AppName} Counter Assistant
AppVersion={#AppVersion}
AppPublisher=Counter Assistant
DefaultDirName={autopf}\CounterAssistant
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=counter-assistant-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName} Counter Assistant
CloseApplications=yes
SetupLogging=yes
; Signing (optional): define a sign tool named "signtool" in the Inno IDE or pass
;   iscc /Ssigntool="signtool sign /fd sha256 /tr http://timestamp.digicert.com /td sha256 /a $f" /DSign=1 ...
#ifdef Sign
SignTool=signtool
SignedUninstaller=yes
#endif

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "autostart"; Description: "Start {#AppName} at login (all users)"; GroupDescription: "Start:"

[Files]
; The one-folder PyInstaller bundle (counter-assistant.exe, counter-assistant-cli.exe, _internal\).
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; Machine-wide config: the example only when there is none yet; /CONFIG=file replaces it
; (the previous one is kept as config.toml.bak). Never removed on uninstall.
Source: "{#ExampleConfig}"; DestDir: "{#DataDir}"; DestName: "config.toml"; Flags: onlyifdoesntexist uninsneveruninstall; Check: not HasConfigParam
Source: "{code:ConfigParam}"; DestDir: "{#DataDir}"; DestName: "config.toml"; Flags: external ignoreversion uninsneveruninstall; Check: HasConfigParam
Source: "{#ExampleConfig}"; DestDir: "{app}"; DestName: "config.example.toml"; Flags: ignoreversion

[Dirs]
Name: "{#DataDir}"; Flags: uninsneveruninstall

[Icons]
Name: "{autoprograms}\{#AppName}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autoprograms}\{#AppName}\{#AppName} 统计报表"; Filename: "{app}\{#AppExe}"; Parameters: "supervisor"
; Must stay named like STARTUP_LINK in counter_assistant/platform/autostart.py.
Name: "{commonstartup}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: autostart

[Run]
Filename: "{app}\{#AppExe}"; Description: "Start {#AppName}"; Flags: nowait postinstall skipifsilent

[Code]
function HasConfigParam: Boolean;
begin
  Result := ExpandConstant('{param:CONFIG|}') <> '';
end;

function ConfigParam(Param: String): String;
begin
  Result := ExpandFileName(ExpandConstant('{param:CONFIG|}'));
end;

function InitializeSetup: Boolean;
begin
  Result := True;
  if HasConfigParam and not FileExists(ConfigParam('')) then
  begin
    Log('config file given with /CONFIG not found: ' + ConfigParam(''));
    SuppressibleMsgBox('Config file not found: ' + ConfigParam(''), mbCriticalError, MB_OK, IDOK);
    Result := False;  { setup exits with a non-zero code }
  end;
end;

procedure CurStepChanged(CurStep: TSetupStep);
var
  Target: String;
  Code: Integer;
begin
  Target := ExpandConstant('{#DataDir}\config.toml');
  if (CurStep = ssInstall) and HasConfigParam and FileExists(Target) then
  begin
    FileCopy(Target, Target + '.bak', False);
    Log('previous config kept as ' + Target + '.bak');
  end;
  if CurStep = ssPostInstall then
  begin
    { check-config names every problem (file, line, key); its output goes to the setup log }
    if Exec(ExpandConstant('{app}\{#CliExe}'), 'check-config --config "' + Target + '" --data-dir "' +
            ExpandConstant('{tmp}\check') + '"', '',
            SW_HIDE, ewWaitUntilTerminated, Code) then
    begin
      Log('check-config exit code ' + IntToStr(Code));
      if Code <> 0 then
        SuppressibleMsgBox('The config ' + Target + ' has problems; run "' +
          ExpandConstant('{app}\{#CliExe}') + ' check-config" for details.',
          mbError, MB_OK, IDOK);
    end;
  end;
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  { the uninstalling user's own "autostart on"; other users' values and all user data stay }
  if CurUninstallStep = usPostUninstall then
    RegDeleteValue(HKEY_CURRENT_USER, 'Software\Microsoft\Windows\CurrentVersion\Run',
                   'CounterAssistant');
end;
