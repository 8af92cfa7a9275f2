using System.Collections;
using System.Management.Automation;
using PythonImages.Engine.Builds;

namespace PythonImages.Commands
{
    /// <summary>Invoke-PythonImageBuild -Engine: engines per platform.</summary>
    public sealed partial class InvokePythonImageBuildCommand
    {
        /// <summary>
        /// Engines per platform: platform keys (linux/amd64, linux/arm64, linux/arm/v7, windows/amd64/ltsc2025, linux, ...) mapped
        /// to engine addresses (unix://, tcp://, npipe://) or docker context names, as a hashtable or platform=engine strings. Each
        /// image goes to the engine whose key fits the platform it is built for; each engine is connected on first use, checked
        /// against its key ('docker version'), and builds at most -ThrottleLimit images at once. Not with -DockerHost.
        /// </summary>
        [Parameter]
        [EngineMapTransformation]
        public new Hashtable? Engine { get; set; }

        /// <summary>The selector of the build: the one engine (-DockerHost, DOCKER_HOST, the docker context), or -Engine's map (checked here: terminating errors).</summary>
        private IEngineSelector CreateEngineSelector()
        {
            if (Engine == null)
            {
                return new SingleEngineSelector(() => new EngineTarget(base.Engine, EngineInfo));
            }

            var routes = EngineMapInputs.Read(this, Engine, DockerHost != null);
            return new EngineMapSelector(routes, MapEngine, engine => RunPumped(ct => engine.GetInfoAsync(ct)))
            {
                Connected = WriteVerbose,
                Identify = engine => RunPumped(ct => engine.GetIdentityAsync(ct)),
                Duplicate = WriteWarning,
                Keep = KeepEngine,
                Release = ReleaseEngine,
            };
        }
    }
}
