// PrintHA lab Windows stand-in (a TEST DOUBLE; nothing in the product knows it). The .NET parts of
// Windows that the generated scripts call directly and that throw PlatformNotSupportedException on
// Linux: Microsoft.Win32.RegistryKey (backed by registry.json), WindowsIdentity/WindowsPrincipal,
// and a CimInstance that can be built without libmi. The module maps the Windows type names onto
// these with type accelerators, so [Microsoft.Win32.RegistryKey]::OpenBaseKey(...) in a script
// resolves here.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Win32;

namespace PrintHA.WindowsStandIn {
  /// <summary>A CIM instance of the stand-in: class and namespace; the module adds the properties.</summary>
  public sealed class CimInstance {
    public CimInstance(string className, string cimNamespace) { CimClassName = className; CimNamespace = cimNamespace; }
    public string CimClassName { get; private set; }
    public string CimNamespace { get; private set; }
    public override string ToString() { return CimClassName; }
  }

  /// <summary>The HKLM store: registry.json, keys and value names compared case-insensitively.</summary>
  public static class RegistryStore {
    public static string StateDir {
      get {
        string s = Environment.GetEnvironmentVariable("PRINTHA_WINSHIM_STATE");
        return string.IsNullOrEmpty(s) ? "/var/lib/printha-winshim" : s;
      }
    }
    static string FilePath { get { return Path.Combine(StateDir, "registry.json"); } }
    static readonly object Gate = new object();

    public sealed class Value { public RegistryValueKind Kind; public object Data; }
    public sealed class Key { public string Path; public Dictionary<string, KeyValuePair<string, Value>> Values = new Dictionary<string, KeyValuePair<string, Value>>(StringComparer.OrdinalIgnoreCase); }

    public static string Normalize(string path) {
      return string.Join("\\", (path ?? "").Replace('/', '\\').Split(new[] { '\\' }, StringSplitOptions.RemoveEmptyEntries));
    }

    public static Dictionary<string, Key> Load() {
      lock (Gate) {
        var keys = new Dictionary<string, Key>(StringComparer.OrdinalIgnoreCase);
        if (!File.Exists(FilePath)) return keys;
        var root = JsonNode.Parse(File.ReadAllText(FilePath)) as JsonObject;
        if (root == null) return keys;
        foreach (var k in root) {
          var key = new Key { Path = Normalize(k.Key) };
          var vals = k.Value as JsonObject;
          if (vals != null)
            foreach (var v in vals) {
              var o = v.Value as JsonObject;
              if (o == null) continue;
              var kind = (RegistryValueKind)Enum.Parse(typeof(RegistryValueKind), (string)o["type"], true);
              key.Values[v.Key] = new KeyValuePair<string, Value>(v.Key, new Value { Kind = kind, Data = FromJson(kind, o["value"]) });
            }
          keys[key.Path] = key;
        }
        return keys;
      }
    }

    static object FromJson(RegistryValueKind kind, JsonNode n) {
      switch (kind) {
        case RegistryValueKind.DWord: return n.GetValue<int>();
        case RegistryValueKind.QWord: return n.GetValue<long>();
        case RegistryValueKind.MultiString: return n.AsArray().Select(x => (string)x).ToArray();
        case RegistryValueKind.Binary: return n.AsArray().Select(x => (byte)x.GetValue<int>()).ToArray();
        default: return (string)n;
      }
    }

    static JsonNode ToJson(Value v) {
      switch (v.Kind) {
        case RegistryValueKind.DWord: return JsonValue.Create((int)v.Data);
        case RegistryValueKind.QWord: return JsonValue.Create((long)v.Data);
        case RegistryValueKind.MultiString: return new JsonArray(((string[])v.Data).Select(s => (JsonNode)JsonValue.Create(s)).ToArray());
        case RegistryValueKind.Binary: return new JsonArray(((byte[])v.Data).Select(b => (JsonNode)JsonValue.Create((int)b)).ToArray());
        default: return JsonValue.Create((string)v.Data);
      }
    }

    /// <summary>Read-modify-write under one lock; the file is replaced atomically (temp + rename).</summary>
    public static void Update(Action<Dictionary<string, Key>> change) {
      lock (Gate) {
        var keys = Load();
        change(keys);
        var root = new JsonObject();
        foreach (var k in keys.Values.OrderBy(k => k.Path, StringComparer.OrdinalIgnoreCase)) {
          var vals = new JsonObject();
          foreach (var v in k.Values.Values) vals[v.Key] = new JsonObject { ["type"] = v.Value.Kind.ToString(), ["value"] = ToJson(v.Value) };
          root[k.Path] = vals;
        }
        Directory.CreateDirectory(StateDir);
        string tmp = FilePath + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(tmp, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        File.Move(tmp, FilePath, true);
      }
    }

    public static bool KeyExists(Dictionary<string, Key> keys, string path) {
      path = Normalize(path);
      if (path.Length == 0) return true;
      return keys.Keys.Any(k => string.Equals(k, path, StringComparison.OrdinalIgnoreCase) || k.StartsWith(path + "\\", StringComparison.OrdinalIgnoreCase));
    }

    public static string[] SubKeyNames(Dictionary<string, Key> keys, string path) {
      path = Normalize(path);
      string prefix = path.Length == 0 ? "" : path + "\\";
      return keys.Keys.Where(k => k.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && k.Length > prefix.Length)
        .Select(k => k.Substring(prefix.Length).Split('\\')[0]).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    /// <summary>Converts as .NET's RegistryKey.SetValue does, with its exception for a mismatch.</summary>
    public static object Convert(object value, RegistryValueKind kind) {
      if (value == null) throw new ArgumentNullException("value");
      try {
        switch (kind) {
          case RegistryValueKind.DWord: return System.Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
          case RegistryValueKind.QWord: return System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
          case RegistryValueKind.MultiString:
            if (value is string[]) return ((string[])value).Clone();
            if (value is object[]) return ((object[])value).Select(o => (string)o).ToArray();
            break;
          case RegistryValueKind.Binary: if (value is byte[]) return ((byte[])value).Clone(); break;
          case RegistryValueKind.String:
          case RegistryValueKind.ExpandString: return value.ToString();
        }
      } catch (Exception e) when (e is InvalidCastException || e is FormatException || e is OverflowException) { }
      throw new ArgumentException("The type of the value object did not match the specified RegistryValueKind or the object could not be properly converted.");
    }
  }

  /// <summary>Stands in for Microsoft.Win32.RegistryKey (the HKLM parts the scripts use).</summary>
  public sealed class RegistryKey : IDisposable {
    readonly string path;
    readonly bool writable;
    RegistryKey(string path, bool writable) { this.path = RegistryStore.Normalize(path); this.writable = writable; }

    public string Name { get { return path.Length == 0 ? "HKEY_LOCAL_MACHINE" : "HKEY_LOCAL_MACHINE\\" + path; } }

    public static RegistryKey OpenBaseKey(RegistryHive hKey, RegistryView view) {
      if (hKey != RegistryHive.LocalMachine) throw new PlatformNotSupportedException("the PrintHA Windows stand-in has HKEY_LOCAL_MACHINE only");
      return new RegistryKey("", true);
    }

    public RegistryKey OpenSubKey(string name) { return OpenSubKey(name, false); }
    public RegistryKey OpenSubKey(string name, bool writable) {
      string p = Join(name);
      return RegistryStore.KeyExists(RegistryStore.Load(), p) ? new RegistryKey(p, writable) : null;
    }

    public RegistryKey CreateSubKey(string subkey) {
      string p = Join(subkey);
      RegistryStore.Update(keys => { if (!keys.ContainsKey(p)) keys[p] = new RegistryStore.Key { Path = p }; });
      return new RegistryKey(p, true);
    }

    string Join(string name) { return RegistryStore.Normalize(path.Length == 0 ? name : path + "\\" + name); }

    RegistryStore.Key Me() {
      RegistryStore.Key k;
      return RegistryStore.Load().TryGetValue(path, out k) ? k : new RegistryStore.Key { Path = path };
    }

    public string[] GetValueNames() { return Me().Values.Values.Select(v => v.Key).ToArray(); }
    public string[] GetSubKeyNames() { return RegistryStore.SubKeyNames(RegistryStore.Load(), path); }
    public int ValueCount { get { return Me().Values.Count; } }
    public int SubKeyCount { get { return GetSubKeyNames().Length; } }

    public object GetValue(string name) { return GetValue(name, null); }
    public object GetValue(string name, object defaultValue) { return GetValue(name, defaultValue, RegistryValueOptions.None); }
    public object GetValue(string name, object defaultValue, RegistryValueOptions options) {
      KeyValuePair<string, RegistryStore.Value> v;
      if (!Me().Values.TryGetValue(name ?? "", out v)) return defaultValue;
      if (v.Value.Kind == RegistryValueKind.ExpandString && options != RegistryValueOptions.DoNotExpandEnvironmentNames)
        return Environment.ExpandEnvironmentVariables((string)v.Value.Data);
      var a = v.Value.Data as Array;
      return a != null ? a.Clone() : v.Value.Data;
    }

    public RegistryValueKind GetValueKind(string name) {
      KeyValuePair<string, RegistryStore.Value> v;
      if (!Me().Values.TryGetValue(name ?? "", out v)) throw new IOException("The specified registry key does not exist.");
      return v.Value.Kind;
    }

    public void SetValue(string name, object value) {
      SetValue(name, value, value is int ? RegistryValueKind.DWord : value is long ? RegistryValueKind.QWord : value is string[] ? RegistryValueKind.MultiString : value is byte[] ? RegistryValueKind.Binary : RegistryValueKind.String);
    }
    public void SetValue(string name, object value, RegistryValueKind valueKind) {
      if (!writable) throw new UnauthorizedAccessException("Cannot write to the registry key.");
      object data = RegistryStore.Convert(value, valueKind);
      string n = name ?? "";
      RegistryStore.Update(keys => {
        RegistryStore.Key k;
        if (!keys.TryGetValue(path, out k)) { k = new RegistryStore.Key { Path = path }; keys[path] = k; }
        KeyValuePair<string, RegistryStore.Value> old;
        string stored = k.Values.TryGetValue(n, out old) ? old.Key : n;
        k.Values[n] = new KeyValuePair<string, RegistryStore.Value>(stored, new RegistryStore.Value { Kind = valueKind, Data = data });
      });
    }

    public void DeleteValue(string name) { DeleteValue(name, true); }
    public void DeleteValue(string name, bool throwOnMissingValue) {
      if (!writable) throw new UnauthorizedAccessException("Cannot write to the registry key.");
      bool found = false;
      RegistryStore.Update(keys => { RegistryStore.Key k; if (keys.TryGetValue(path, out k)) found = k.Values.Remove(name ?? ""); });
      if (!found && throwOnMissingValue) throw new ArgumentException("No value exists with that name.");
    }

    public void Close() { }
    public void Dispose() { }
    public override string ToString() { return Name; }
  }

  /// <summary>WindowsIdentity.GetCurrent(): the node's administrator when the session runs as root.</summary>
  public sealed class WindowsIdentity {
    public static WindowsIdentity GetCurrent() { return new WindowsIdentity(); }
    public string Name {
      get {
        string c = Environment.GetEnvironmentVariable("COMPUTERNAME");
        return (string.IsNullOrEmpty(c) ? Environment.MachineName : c).ToUpperInvariant() + "\\" + (IsRoot ? "Administrator" : Environment.UserName);
      }
    }
    public bool IsAuthenticated { get { return true; } }
    internal static bool IsRoot { get { return Environment.UserName == "root"; } }
  }

  public sealed class WindowsPrincipal {
    public WindowsPrincipal(WindowsIdentity ntIdentity) { Identity = ntIdentity; }
    public WindowsIdentity Identity { get; private set; }
    public bool IsInRole(System.Security.Principal.WindowsBuiltInRole role) {
      return role == System.Security.Principal.WindowsBuiltInRole.Administrator ? WindowsIdentity.IsRoot : role == System.Security.Principal.WindowsBuiltInRole.User;
    }
  }
}
